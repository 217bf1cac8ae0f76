@echo off
rem ptdiag: install the two-week soak on this Windows guest (run as administrator).
rem Copies ptdiag-agent.exe to %ProgramFiles%\ptdiag, then registers the scheduled task
rem "ptdiag-soak" (every 5 minutes, as SYSTEM) through ptdiag-agent.exe --install-soak.
setlocal
set "SRC=%~dp0ptdiag-agent.exe"
set "DEST=%ProgramFiles%\ptdiag"
if not exist "%SRC%" (
    echo install-soak: ptdiag-agent.exe is not next to this script.
    exit /b 1
)
if not exist "%DEST%" mkdir "%DEST%"
if errorlevel 1 goto denied
copy /y "%SRC%" "%DEST%\ptdiag-agent.exe" >nul
if errorlevel 1 goto denied
"%DEST%\ptdiag-agent.exe" --install-soak
if errorlevel 1 goto failed
echo The soak task "ptdiag-soak" is installed; it logs to %ProgramData%\ptdiag\soak.jsonl
exit /b 0

:failed
echo install-soak: the scheduled task could not be created, see the message above.
exit /b 1

:denied
echo install-soak: cannot write "%DEST%": run this script as administrator.
exit /b 1
