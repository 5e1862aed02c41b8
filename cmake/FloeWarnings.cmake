# Warnings every Floe translation unit is built with; -Werror when FLOE_WERROR is on.
add_compile_options(
  -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wpointer-arith -Wcast-qual -Wformat=2 -Wundef -Wvla -Wno-unused-parameter)
if(FLOE_WERROR)
  add_compile_options(-Werror)
endif()
