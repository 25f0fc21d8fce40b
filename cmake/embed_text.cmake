# Writes OUTPUT, a C++ file defining smematch::kPreludeLua with the bytes of INPUT.
file(READ ${INPUT} HEX HEX)
string(LENGTH "${HEX}" HEX_LEN)
math(EXPR SIZE "${HEX_LEN} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BYTES "${HEX}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\n#include <cstddef>\nnamespace smematch {\nextern const unsigned char kPreludeLua[] = {${BYTES} 0};\nextern const size_t kPreludeLuaSize = ${SIZE};\n}  // namespace smematch\n")
