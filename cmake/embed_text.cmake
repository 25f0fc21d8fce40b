# Writes OUTPUT, a C++ file defining smematch::<NAME> (default kPreludeLua) and <NAME>Size with
# the bytes of INPUT.
if(NOT DEFINED NAME)
  set(NAME kPreludeLua)
endif()
file(READ ${INPUT} HEX HEX)
string(LENGTH "${HEX}" HEX_LEN)
math(EXPR SIZE "${HEX_LEN} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BYTES "${HEX}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\n#include <cstddef>\nnamespace smematch {\nextern const unsigned char ${NAME}[] = {${BYTES} 0};\nextern const size_t ${NAME}Size = ${SIZE};\n}  // namespace smematch\n")
