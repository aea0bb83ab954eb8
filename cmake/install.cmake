# What `cmake --install BUILD [--prefix DIR]` puts where (README "Install"):
#   bin/                        the five programs (not the tests, not bench)
#   share/man/man1/             a page per program, made from its --help by help2man
#   lib/systemd/system/         planwatch-{store,ingest,alert,http}.service (dist/systemd)
#   lib/sysusers.d/             the planwatch system user the units run as
#   share/doc/planwatch/examples/  an office registry and a settings file to start from
# The units name the programs by their installed path, so they are written
# at install time, when --prefix is known. Components, for a partial install
# (`cmake --install BUILD --component programs`, then `--component http`, as
# the images do): programs (the CLI, store, ingest, alert), http (the HTTP
# door, planwatch-http), man, systemd, examples.
include(GNUInstallDirs)

# test hooks (store --test-drop-every) have no place in an installed system
if(PW_TEST_HOOKS)
  install(CODE "message(WARNING \"this build has the test hooks (planwatch-store --test-drop-every): configure a release with -DPW_TEST_HOOKS=OFF\")"
          COMPONENT programs)
endif()

install(TARGETS planwatch-cli planwatch-store planwatch-ingest planwatch-alert
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT programs)
install(TARGETS planwatch-http RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT http)

# --- man pages: help2man runs each program's --help and --version ----------
find_program(HELP2MAN help2man)
option(PW_MAN "Make and install man pages from --help (needs help2man)" ON)
if(PW_MAN AND NOT HELP2MAN)
  message(STATUS "help2man not found: no man pages (scripts/deps.sh installs it)")
elseif(PW_MAN)
  # target|page|one line for NAME
  set(pw_pages
      "planwatch-cli|planwatch|command line of the planwatch indicator monitor"
      "planwatch-store|planwatch-store|planwatch service persisting indicator updates in LMDB"
      "planwatch-ingest|planwatch-ingest|planwatch service receiving offices' feeds"
      "planwatch-alert|planwatch-alert|planwatch service publishing alerts on status changes"
      "planwatch-http|planwatch-http|planwatch HTTP door: feeds, read API, dashboard")
  set(pw_man_files "")
  foreach(p IN LISTS pw_pages)
    string(REPLACE "|" ";" p "${p}")
    list(GET p 0 target)
    list(GET p 1 page)
    list(GET p 2 what)
    set(out ${PROJECT_BINARY_DIR}/man/${page}.1)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
      COMMAND ${HELP2MAN} --no-info --section=1 --name=${what} --output=${out}
              $<TARGET_FILE:${target}>
      DEPENDS ${target} COMMENT "Man page ${page}.1" VERBATIM)
    list(APPEND pw_man_files ${out})
  endforeach()
  add_custom_target(pw_man ALL DEPENDS ${pw_man_files})
  install(FILES ${pw_man_files} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT man)
endif()

# --- systemd units and their user -------------------------------------------
set(PW_SYSTEMD_UNITDIR lib/systemd/system CACHE STRING
    "where the systemd units go, relative to the prefix (or absolute)")
set(PW_SYSUSERSDIR lib/sysusers.d CACHE STRING
    "where the sysusers.d file goes, relative to the prefix (or absolute)")
install(CODE "
  set(PW_UNIT_SRC \"${PROJECT_SOURCE_DIR}/dist/systemd\")
  set(PW_UNIT_STAGE \"${PROJECT_BINARY_DIR}/dist/systemd\")
  set(PW_UNITDIR \"${PW_SYSTEMD_UNITDIR}\")
  set(PW_BINDIR \"${CMAKE_INSTALL_BINDIR}\")" COMPONENT systemd)
install(SCRIPT ${PROJECT_SOURCE_DIR}/cmake/install_units.cmake COMPONENT systemd)
install(FILES dist/sysusers.d/planwatch.conf DESTINATION ${PW_SYSUSERSDIR} COMPONENT systemd)

# --- examples ----------------------------------------------------------------
install(FILES dist/registry.example.yaml dist/planwatch.env.example
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT examples)
