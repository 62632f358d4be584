# Builds Duktape from Debian's amalgamation (duktape-dev ships it in /usr/share/duktape) with the
# options Anchang's script sandbox needs and Debian's prebuilt libduktape lacks:
#
#   DUK_USE_INTERRUPT_COUNTER + DUK_USE_EXEC_TIMEOUT_CHECK  so `for(;;){}` can be stopped
#   DUK_USE_CPP_EXCEPTIONS                                  so C++ destructors run on errors
#   DUK_USE_DATE_GET_NOW -> anchang_duk_date_now()          a clock tests can fix
#   DUK_RE_EXECUTE_STEPS_LIMIT 1e9 -> 1e7                   regex backtracking stops in ~tens of ms
#   DUK_HTHREAD_INTCTR_DEFAULT 256k -> 16k                  the deadline is checked every 16k instructions
#   ANCHANG_DUK_DEADLINE in native loops                    a regex run, a string search or a sort in
#                                                           C checks the deadline too: the interrupt
#                                                           counter only runs between bytecodes
#
# No Duktape source is committed: the files are copied into the build tree and edited here. If
# Debian's copy no longer contains a line this edits, configuration stops with that line.
set(DUKTAPE_SOURCE_DIR /usr/share/duktape CACHE PATH "Duktape amalgamation (duktape.c, duktape.h, duk_config.h)")
set(duktape_out ${CMAKE_BINARY_DIR}/duktape)
foreach(file duktape.c duktape.h duk_config.h)
  if(NOT EXISTS ${DUKTAPE_SOURCE_DIR}/${file})
    message(FATAL_ERROR "Duktape: ${DUKTAPE_SOURCE_DIR}/${file} not found; install Debian's duktape-dev")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${DUKTAPE_SOURCE_DIR}/${file})
endforeach()

# Replaces `from` by `to` in the variable `text`; `from` must occur exactly once, or as many
# times as an optional fifth argument says.
function(duktape_edit text_var file from to)
  set(expected 1)
  if(ARGC GREATER 4)
    set(expected ${ARGV4})
  endif()
  string(REPLACE "${from}" "" without "${${text_var}}")
  string(LENGTH "${${text_var}}" before)
  string(LENGTH "${without}" after)
  string(LENGTH "${from}" length)
  math(EXPR found "(${before} - ${after}) / ${length}")
  if(NOT found EQUAL expected)
    message(FATAL_ERROR "Duktape: ${file} contains the line\n  ${from}\n${found} times, not ${expected}. "
                        "Anchang's sandbox depends on editing it; review cmake/Duktape.cmake against this Duktape version.")
  endif()
  string(REPLACE "${from}" "${to}" edited "${${text_var}}")
  set(${text_var} "${edited}" PARENT_SCOPE)
endfunction()

file(READ ${DUKTAPE_SOURCE_DIR}/duk_config.h config)
duktape_edit(config duk_config.h "#undef DUK_USE_INTERRUPT_COUNTER" "#define DUK_USE_INTERRUPT_COUNTER")
duktape_edit(config duk_config.h "#undef DUK_USE_EXEC_TIMEOUT_CHECK"
  "#if defined(__cplusplus)\nextern \"C\" int anchang_duk_exec_timeout_check(void* udata);\n#else\nint anchang_duk_exec_timeout_check(void* udata);\n#endif\n#define DUK_USE_EXEC_TIMEOUT_CHECK(udata) anchang_duk_exec_timeout_check((udata))")
duktape_edit(config duk_config.h "#undef DUK_USE_CPP_EXCEPTIONS" "#define DUK_USE_CPP_EXCEPTIONS")
duktape_edit(config duk_config.h "#undef DUK_USE_DATE_GET_NOW"
  "#if defined(__cplusplus)\nextern \"C\" double anchang_duk_date_now(void* ctx);\n#else\ndouble anchang_duk_date_now(void* ctx);\n#endif\n#define DUK_USE_DATE_GET_NOW(ctx) anchang_duk_date_now((void*) (ctx))")
file(WRITE ${duktape_out}/duk_config.h.new "${config}")
file(COPY_FILE ${duktape_out}/duk_config.h.new ${duktape_out}/duk_config.h ONLY_IF_DIFFERENT)

file(READ ${DUKTAPE_SOURCE_DIR}/duktape.c source)
duktape_edit(source duktape.c "#define DUK_RE_EXECUTE_STEPS_LIMIT 1000000000L /* 1e9 */"
                              "#define DUK_RE_EXECUTE_STEPS_LIMIT 10000000L /* 1e7: Anchang */
/* Anchang: a native loop that can run long checks the script's deadline the way the bytecode
 * interrupt does, and leaves the interrupt counter at 0 so that a try/catch around it is
 * interrupted again at its next instruction. */
#define ANCHANG_DUK_DEADLINE(thr) \\
	do { \\
		if (DUK_USE_EXEC_TIMEOUT_CHECK((thr)->heap->heap_udata)) { \\
			(thr)->interrupt_init = 0; \\
			(thr)->interrupt_counter = 0; \\
			DUK_ERROR_RANGE((thr), \"execution timeout\"); \\
		} \\
	} while (0)
static thread_local duk_size_t anchang_duk_work = 0;
/* Counts `amount` of work (bytes compared, comparisons made) and checks the deadline every 64k. */
#define ANCHANG_DUK_WORK(thr, amount) \\
	do { \\
		anchang_duk_work += (duk_size_t) (amount); \\
		if (anchang_duk_work >= 65536U) { \\
			anchang_duk_work = 0; \\
			ANCHANG_DUK_DEADLINE(thr); \\
		} \\
	} while (0)")
duktape_edit(source duktape.c "#define DUK_HTHREAD_INTCTR_DEFAULT (256L * 1024L)"
                              "#define DUK_HTHREAD_INTCTR_DEFAULT (16L * 1024L) /* Anchang */")
# The regex executor: every 64k steps.
duktape_edit(source duktape.c "		re_ctx->steps_count++;\n"
                              "		re_ctx->steps_count++;\n		if ((re_ctx->steps_count & 0xFFFFU) == 0) ANCHANG_DUK_DEADLINE(re_ctx->thr);\n")
# indexOf/lastIndexOf/includes, replace and split with a string: the bytes each candidate compares.
duktape_edit(source duktape.c "if (duk_memcmp((const void *) p, (const void *) q_start, (size_t) q_blen) == 0) {"
                              "ANCHANG_DUK_WORK(thr, q_blen); if (duk_memcmp((const void *) p, (const void *) q_start, (size_t) q_blen) == 0) {" 3)
# Array.prototype.sort: each comparison (which may convert both values to strings) weighs 1024.
duktape_edit(source duktape.c "	duk_idx_t idx_obj = 1; /* fixed offsets in valstack */\n	duk_idx_t idx_fn = 0;\n	duk_hstring *h1, *h2;\n"
                              "	duk_idx_t idx_obj = 1; /* fixed offsets in valstack */\n	duk_idx_t idx_fn = 0;\n	duk_hstring *h1, *h2;\n	ANCHANG_DUK_WORK(thr, 1024);\n")
# C++ exceptions need the amalgamation compiled as C++.
file(WRITE ${duktape_out}/duktape.cpp.new "${source}")
file(COPY_FILE ${duktape_out}/duktape.cpp.new ${duktape_out}/duktape.cpp ONLY_IF_DIFFERENT)
file(COPY_FILE ${DUKTAPE_SOURCE_DIR}/duktape.h ${duktape_out}/duktape.h ONLY_IF_DIFFERENT)
file(REMOVE ${duktape_out}/duk_config.h.new ${duktape_out}/duktape.cpp.new)

add_library(anchang_duktape STATIC ${duktape_out}/duktape.cpp)
target_include_directories(anchang_duktape SYSTEM PUBLIC ${duktape_out})
# Third-party code: its warnings are not ours to fix.
target_compile_options(anchang_duktape PRIVATE -w)
