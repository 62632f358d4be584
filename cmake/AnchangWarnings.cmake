# Warnings every target of ours compiles with. Third-party headers come in as system headers,
# so these apply to our code only.
function(anchang_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Woverloaded-virtual
                                           -Wimplicit-fallthrough -Wno-missing-field-initializers)
endfunction()
