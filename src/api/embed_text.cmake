# cmake -P embed_text.cmake: writes OUT, a C++ file defining
#   extern const char SYMBOL[] = <the bytes of IN>;
# as a raw string literal, so a JSON file can be compiled into the binary.
# Written at build time (not configure time) so that editing IN rebuilds it.
file(READ "${IN}" content)
if(content MATCHES "\\)wagate_embed\"")
  message(FATAL_ERROR "${IN} contains the raw string delimiter")
endif()
file(WRITE "${OUT}.tmp"
  "// Generated from ${IN} by embed_text.cmake; do not edit.\n"
  "namespace ${NAMESPACE} {\n"
  "extern const char ${SYMBOL}[];\n"
  "const char ${SYMBOL}[] = R\"wagate_embed(${content})wagate_embed\";\n"
  "}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
