# anchang_add_plugin(<target> MANIFEST <plugin.json> SOURCES <files...> [OUTPUT_DIR <dir>])
#
# Builds a plugin the way anchangd loads it: a shared module named as the manifest's "library"
# says, in OUTPUT_DIR/<id>/ next to a copy of plugin.json and of every folder beside it that
# the plugin ships (migrations, hooks, demo). The plugin's id and version are compiled in from
# the manifest (ANCHANG_PLUGIN_ID, ANCHANG_PLUGIN_VERSION), so they cannot disagree with it.
# The module may not leave symbols undefined: a plugin never links against the kernel.
function(anchang_add_plugin target)
  cmake_parse_arguments(PLUGIN "" "MANIFEST;OUTPUT_DIR" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT PLUGIN_MANIFEST)
    set(PLUGIN_MANIFEST ${CMAKE_CURRENT_SOURCE_DIR}/plugin.json)
  endif()
  if(NOT PLUGIN_OUTPUT_DIR)
    if(ANCHANG_PLUGIN_OUTPUT_DIR)
      set(PLUGIN_OUTPUT_DIR ${ANCHANG_PLUGIN_OUTPUT_DIR})
    else()
      set(PLUGIN_OUTPUT_DIR ${CMAKE_BINARY_DIR}/plugins)
    endif()
  endif()
  file(READ ${PLUGIN_MANIFEST} manifest)
  string(JSON id GET "${manifest}" id)
  string(JSON version GET "${manifest}" version)
  string(JSON library GET "${manifest}" library)
  get_filename_component(library_stem ${library} NAME_WE)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PLUGIN_MANIFEST})

  set(out ${PLUGIN_OUTPUT_DIR}/${id})
  add_library(${target} MODULE ${PLUGIN_SOURCES})
  target_link_libraries(${target} PRIVATE anchang::sdk ${PLUGIN_LIBRARIES})
  target_compile_definitions(${target} PRIVATE ANCHANG_PLUGIN_ID="${id}" ANCHANG_PLUGIN_VERSION="${version}")
  set_target_properties(${target} PROPERTIES
    PREFIX "" OUTPUT_NAME ${library_stem} SUFFIX ".so"
    LIBRARY_OUTPUT_DIRECTORY ${out}
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${target} PRIVATE -Wl,--no-undefined)

  # The manifest, migrations, hooks and demo data are copied whenever one of them changes, not only
  # when the library is relinked: a new migration or an edited permission must reach the plugin
  # folder anchangd loads.
  get_filename_component(source_dir ${PLUGIN_MANIFEST} DIRECTORY)
  set(copy_commands COMMAND ${CMAKE_COMMAND} -E copy_if_different ${PLUGIN_MANIFEST} ${out}/plugin.json)
  set(asset_files ${PLUGIN_MANIFEST})
  foreach(folder migrations hooks demo)
    if(IS_DIRECTORY ${source_dir}/${folder})
      file(GLOB_RECURSE folder_files CONFIGURE_DEPENDS ${source_dir}/${folder}/*)
      list(APPEND asset_files ${folder_files})
      list(APPEND copy_commands
        COMMAND ${CMAKE_COMMAND} -E rm -rf ${out}/${folder}
        COMMAND ${CMAKE_COMMAND} -E copy_directory ${source_dir}/${folder} ${out}/${folder})
    endif()
  endforeach()
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${target}.assets.stamp)
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    ${copy_commands}
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${asset_files}
    COMMENT "Copying the manifest and assets of plugin ${id}")
  add_custom_target(${target}_assets ALL DEPENDS ${stamp})
  add_dependencies(${target} ${target}_assets)
endfunction()
