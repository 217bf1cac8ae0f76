@echo off
rem ptdiag: remove the soak scheduled task and the copied executable (run as administrator).
rem The log %ProgramData%\ptdiag\soak.jsonl is kept.
setlocal
set "DEST=%ProgramFiles%\ptdiag"
if not exist "%DEST%\ptdiag-agent.exe" (
    echo uninstall-soak: "%DEST%\ptdiag-agent.exe" is not installed.
    exit /b 1
)
"%DEST%\ptdiag-agent.exe" --uninstall-soak
if errorlevel 1 goto failed
del "%DEST%\ptdiag-agent.exe"
rmdir "%DEST%" 2>nul
echo The soak task "ptdiag-soak" is removed; the log is kept in %ProgramData%\ptdiag
exit /b 0

:failed
echo uninstall-soak: the scheduled task could not be removed, see the message above.
exit /b 1
