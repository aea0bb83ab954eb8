# Install-time part of cmake/install.cmake (install(SCRIPT)): writes each
# dist/systemd/*.service with @bindir@ replaced by the installed programs'
# directory under the prefix given to `cmake --install` (DESTDIR is not
# part of it: the unit names where the program runs from), then installs it.
# In: PW_UNIT_SRC, PW_UNIT_STAGE, PW_UNITDIR, PW_BINDIR (set just before).
if(IS_ABSOLUTE "${PW_BINDIR}")
  set(bindir "${PW_BINDIR}")
else()
  set(bindir "${CMAKE_INSTALL_PREFIX}/${PW_BINDIR}")
endif()
if(NOT IS_ABSOLUTE "${PW_UNITDIR}")
  set(PW_UNITDIR "${CMAKE_INSTALL_PREFIX}/${PW_UNITDIR}")
endif()
file(GLOB units "${PW_UNIT_SRC}/*.service")
set(staged "")
foreach(u IN LISTS units)
  get_filename_component(name "${u}" NAME)
  configure_file("${u}" "${PW_UNIT_STAGE}/${name}" @ONLY)
  list(APPEND staged "${PW_UNIT_STAGE}/${name}")
endforeach()
file(INSTALL DESTINATION "${PW_UNITDIR}" TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
     WORLD_READ FILES ${staged})
