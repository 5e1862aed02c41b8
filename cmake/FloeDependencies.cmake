# Finds every library Floe links through pkg-config and stops with the Debian package to
# install when one is missing (tools/install-deps.sh installs them all).
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: run tools/install-deps.sh (Debian package pkg-config)")
endif()
find_package(Threads REQUIRED)

function(floe_require_module variable module debian_package)
  pkg_check_modules(${variable} QUIET IMPORTED_TARGET ${module})
  if(NOT ${variable}_FOUND)
    message(FATAL_ERROR "Floe needs ${module} (Debian package ${debian_package}); "
                        "run tools/install-deps.sh or: apt-get install ${debian_package}")
  endif()
  message(STATUS "Found ${module} ${${variable}_VERSION}")
endfunction()

# kernels/ uses only xxHash, header-only (XXH_INLINE_ALL), so the aarch64 cross build needs
# nothing but the header.
find_path(FLOE_XXHASH_INCLUDE xxhash.h)
if(NOT FLOE_XXHASH_INCLUDE)
  message(FATAL_ERROR "Floe needs xxhash.h (Debian package libxxhash-dev); run tools/install-deps.sh")
endif()

if(NOT FLOE_KERNELS_ONLY)
  floe_require_module(URING liburing liburing-dev)
  floe_require_module(ZSTD libzstd libzstd-dev)
  floe_require_module(ZLIB zlib zlib1g-dev)
  floe_require_module(LZ4 liblz4 liblz4-dev)
  floe_require_module(AVRO avro-c libavro-dev)
  floe_require_module(JANSSON jansson libjansson-dev)
  floe_require_module(CURL libcurl libcurl4-openssl-dev)
  # libsnappy ships no pkg-config file: look for its C header and library directly.
  find_path(FLOE_SNAPPY_INCLUDE snappy-c.h)
  find_library(FLOE_SNAPPY_LIBRARY snappy)
  if(NOT FLOE_SNAPPY_INCLUDE OR NOT FLOE_SNAPPY_LIBRARY)
    message(FATAL_ERROR "Floe needs snappy (Debian package libsnappy-dev); run tools/install-deps.sh")
  endif()
  set(FLOE_IO_LIBRARIES PkgConfig::URING PkgConfig::ZSTD PkgConfig::ZLIB PkgConfig::LZ4
      PkgConfig::AVRO PkgConfig::JANSSON PkgConfig::CURL ${FLOE_SNAPPY_LIBRARY})
  # What executables link: the static archives Debian's -dev packages ship, when all are there.
  # A refresh is a short process, and loading and binding a dozen shared libraries cost about
  # 2 ms of each start (an incremental refresh of a small change takes 15-25 ms). Archives in
  # dependency order (Avro C needs jansson, lzma, zlib and snappy; snappy needs libstdc++).
  # Sanitizer builds keep the shared libraries; libcurl stays shared (its archive pulls TLS).
  set(FLOE_IO_LINK_LIBRARIES ${FLOE_IO_LIBRARIES})
  if(FLOE_STATIC_DEPS AND NOT FLOE_SANITIZE AND NOT FLOE_FUZZ)
    set(floe_archives)
    foreach(name avro jansson uring zstd lz4 lzma snappy z)
      find_library(FLOE_ARCHIVE_${name} NAMES lib${name}.a)
      if(NOT FLOE_ARCHIVE_${name})
        message(STATUS "lib${name}.a not found: linking the shared I/O libraries")
        set(floe_archives)
        break()
      endif()
      list(APPEND floe_archives ${FLOE_ARCHIVE_${name}})
    endforeach()
    if(floe_archives)
      set(FLOE_IO_LINK_LIBRARIES ${floe_archives} PkgConfig::CURL -Wl,-Bstatic -lstdc++
          -Wl,-Bdynamic)
      message(STATUS "Linking the I/O libraries statically")
    endif()
  endif()
endif()

if(FLOE_BUILD_TESTS)
  floe_require_module(CHECK check check)
  add_library(floe_check INTERFACE)
  if(CMAKE_CROSSCOMPILING)
    # pkg-config's imported target resolves -lm to a full libm.so path, which a static link
    # rejects; plain names let the linker pick the static archives.
    target_link_libraries(floe_check INTERFACE check subunit m rt Threads::Threads)
  else()
    target_link_libraries(floe_check INTERFACE PkgConfig::CHECK)
  endif()
endif()
