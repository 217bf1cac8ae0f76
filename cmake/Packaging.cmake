# Packaging (issue 8): `cpack -G DEB` in a build dir makes two Debian packages,
#   ptdiag        the whole suite for a Proxmox VE node: ptdiag-host (/usr/sbin),
#                 ptdiag-report and ptdiag-agent (/usr/bin), man pages, the symptom matrix
#                 (/usr/share/ptdiag), the soak units;
#   ptdiag-agent  the Linux guest agent and the soak units alone, for guests.
# ptdiag carries the agent too, so it Provides, Conflicts with and Replaces ptdiag-agent.
# Depends come from dpkg-shlibdeps. The Windows zip is made by scripts/package-windows.
if(WIN32)
  return()
endif()

set(PTDIAG_DEB_MAINTAINER "ptdiag maintainers <ptdiag@lists.example.org>" CACHE STRING
    "Maintainer field of the .debs and their changelog")
set(PTDIAG_DEB_RELEASE 1 CACHE STRING "Debian revision of the .debs")
set(PTDIAG_DEB_VERSION "${PROJECT_VERSION}-${PTDIAG_DEB_RELEASE}")

# ---- files that exist only for the packages: gzipped man pages and changelog, copyright
set(_pkg_out ${CMAKE_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${_pkg_out}/man)
configure_file(${CMAKE_SOURCE_DIR}/dist/debian/changelog.in ${_pkg_out}/changelog.Debian @ONLY)

set(_gz_outputs)
# ptdiag_gzip(IN OUT): gzip -9n (no name, no time stamp: reproducible, as lintian wants).
function(ptdiag_gzip in out)
  add_custom_command(OUTPUT ${out}
    COMMAND sh -c "gzip -9nc \"$1\" > \"$2\"" gzip ${in} ${out}
    DEPENDS ${in} VERBATIM)
  set(_gz_outputs ${_gz_outputs} ${out} PARENT_SCOPE)
endfunction()

ptdiag_gzip(${_pkg_out}/changelog.Debian ${_pkg_out}/changelog.Debian.gz)
# binary target -> man page (section from the file name)
set(_man_pages ptdiag-host:ptdiag-host.8 ptdiag-agent:ptdiag-agent.1 ptdiag-report:ptdiag-report.1)
foreach(pair ${_man_pages})
  string(REPLACE ":" ";" pair ${pair})
  list(GET pair 1 page)
  ptdiag_gzip(${CMAKE_SOURCE_DIR}/man/${page} ${_pkg_out}/man/${page}.gz)
endforeach()
add_custom_target(ptdiag_package_files ALL DEPENDS ${_gz_outputs})

set(_units ${CMAKE_SOURCE_DIR}/dist/systemd/ptdiag-soak.service
           ${CMAKE_SOURCE_DIR}/dist/systemd/ptdiag-soak.timer)

# ---- ptdiag: the components' own install(TARGETS) rules land in the default component
# ("Unspecified"); add what the package needs around them.
foreach(pair ${_man_pages})
  string(REPLACE ":" ";" pair ${pair})
  list(GET pair 0 target)
  list(GET pair 1 page)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
  if(TARGET ${target})
    install(FILES ${_pkg_out}/man/${page}.gz DESTINATION share/man/man${section}
            COMPONENT Unspecified)
  endif()
endforeach()
install(FILES ${_units} DESTINATION lib/systemd/system COMPONENT Unspecified)
install(FILES ${CMAKE_SOURCE_DIR}/dist/debian/copyright ${_pkg_out}/changelog.Debian.gz
        DESTINATION share/doc/ptdiag COMPONENT Unspecified)
# The fleet path (issue 18), host package only: the collector and its timer (installed
# disabled), the Prometheus alert rules, the Grafana dashboard and the metric reference.
install(PROGRAMS ${CMAKE_SOURCE_DIR}/dist/fleet/ptdiag-collect DESTINATION libexec/ptdiag
        COMPONENT Unspecified)
install(FILES ${CMAKE_SOURCE_DIR}/dist/systemd/ptdiag-collect.service
              ${CMAKE_SOURCE_DIR}/dist/systemd/ptdiag-collect.timer
        DESTINATION lib/systemd/system COMPONENT Unspecified)
install(FILES ${CMAKE_SOURCE_DIR}/dist/fleet/ptdiag-alerts.yml
        DESTINATION share/ptdiag/prometheus COMPONENT Unspecified)
install(FILES ${CMAKE_SOURCE_DIR}/dist/fleet/ptdiag-fleet-dashboard.json
        DESTINATION share/ptdiag/grafana COMPONENT Unspecified)
install(FILES ${CMAKE_SOURCE_DIR}/docs/metrics.md DESTINATION share/doc/ptdiag
        COMPONENT Unspecified)

# ---- ptdiag-agent: the guest agent alone
set(_components Unspecified)
if(TARGET ptdiag-agent)
  list(APPEND _components agent)
  install(TARGETS ptdiag-agent RUNTIME DESTINATION bin COMPONENT agent)
  install(FILES ${_pkg_out}/man/ptdiag-agent.1.gz DESTINATION share/man/man1 COMPONENT agent)
  install(FILES ${_units} DESTINATION lib/systemd/system COMPONENT agent)
  install(FILES ${CMAKE_SOURCE_DIR}/dist/debian/copyright ${_pkg_out}/changelog.Debian.gz
          DESTINATION share/doc/ptdiag-agent COMPONENT agent)
endif()

# ---- CPack
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ptdiag)
set(CPACK_PACKAGE_VENDOR "The ptdiag authors")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${PTDIAG_DEB_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/packages)
set(CPACK_COMPONENTS_ALL ${_components})
set(CPACK_DEB_COMPONENT_INSTALL ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # ptdiag_0.1.0-1_amd64.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE ${PTDIAG_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${PTDIAG_DEB_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SOURCE ptdiag)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_NAME ptdiag)
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_PROVIDES "ptdiag-agent (= ${PTDIAG_DEB_VERSION})")
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_CONFLICTS ptdiag-agent)
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_REPLACES ptdiag-agent)
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_SUGGESTS "libvulkan1")
set(CPACK_DEBIAN_UNSPECIFIED_DESCRIPTION
  "GPU passthrough diagnostics for Proxmox VE
ptdiag diagnoses PCIe and GPU passthrough end to end, read-only: firmware and
kernel (IOMMU, interrupt remapping), IOMMU groups, VFIO binding and reset, the
VM's QEMU and Proxmox configuration and CPUID flags, and the guest driver.
.
This package holds the host probe (ptdiag-host), the report that joins host and
guest documents into findings with the exact fix (ptdiag-report), the Linux
guest agent (ptdiag-agent), the symptom matrix and a systemd timer for the
two-week soak of a guest.
.
For fleets it ships a timer (installed disabled) that writes the node's and its
guests' findings into node_exporter's textfile collector directory, Prometheus
alert rules and a Grafana dashboard.")

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME ptdiag-agent)
set(CPACK_DEBIAN_AGENT_PACKAGE_SUGGESTS "libvulkan1")
set(CPACK_DEBIAN_AGENT_DESCRIPTION
  "GPU passthrough diagnostics for Proxmox VE - guest agent
ptdiag-agent runs inside a Linux virtual machine and records, read-only, what
the guest sees of its passed-through GPU: PCI view, driver, DRM nodes, VRAM,
Vulkan devices, NVIDIA module and NVML state, kernel log errors (Xid,
RmInitAdapter) and the CPUID hypervisor signature.
.
It also includes the systemd timer that appends a soak sample every five
minutes; ptdiag-report (package ptdiag) evaluates the log.")

include(CPack)
