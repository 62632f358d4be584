# Installs the SDK from this build tree and builds sdk/examples/hello against the installed copy,
# out of tree, exactly as a third party would. Run by CTest before the example's tests.
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${BINARY_DIR}/sdk-install
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "installing the SDK failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/sdk/examples/hello -B ${BINARY_DIR}/sdk-example -G Ninja
                        -DCMAKE_PREFIX_PATH=${BINARY_DIR}/sdk-install -DCMAKE_BUILD_TYPE=RelWithDebInfo
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configuring the hello example against the installed SDK failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR}/sdk-example RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the hello example failed")
endif()
# The Python example's manifest, installed as an admin would approve it: in the plugins folder,
# beside hello, so the kernel knows what the "echo" client may serve and publish.
file(COPY ${SOURCE_DIR}/sdk/examples/python-echo/plugin.json DESTINATION ${BINARY_DIR}/sdk-example/plugins/echo)
