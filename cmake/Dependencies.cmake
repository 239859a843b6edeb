# Finds sarea's dependencies. Each failure names the Debian package that provides it.
find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config (or run scripts/install-deps)")
endif()

function(sarea_pkg_config target module debian_package)
  pkg_check_modules(${target} QUIET IMPORTED_TARGET ${module})
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR "${module} not found: apt-get install ${debian_package} (or run scripts/install-deps)")
  endif()
endfunction()

function(sarea_find_package name debian_package)
  find_package(${name} QUIET CONFIG)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "${name} not found: apt-get install ${debian_package} (or run scripts/install-deps)")
  endif()
endfunction()

sarea_pkg_config(XAPIAN xapian-core libxapian-dev)
sarea_pkg_config(ICU "icu-uc;icu-i18n" libicu-dev)
sarea_pkg_config(HUNSPELL hunspell libhunspell-dev)
sarea_pkg_config(XXHASH libxxhash libxxhash-dev)
sarea_pkg_config(ZSTD libzstd libzstd-dev)
sarea_pkg_config(CMARK libcmark libcmark-dev)
sarea_pkg_config(GUMBO gumbo libgumbo-dev)
sarea_pkg_config(HTTPLIB cpp-httplib libcpp-httplib-dev)
# httplib.h instantiates std::regex, in which GCC 12 at -O2 reports a known false
# -Wmaybe-uninitialized from libstdc++; silence it only where httplib is used.
add_library(sarea_httplib INTERFACE)
target_link_libraries(sarea_httplib INTERFACE PkgConfig::HTTPLIB)
target_compile_options(sarea_httplib INTERFACE $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
sarea_find_package(nlohmann_json nlohmann-json3-dev)
sarea_find_package(CLI11 libcli11-dev)
# abseil's flat_hash_map: the analyzer's word cache (open addressing, one
# probe of a dense array where std::unordered_map chases three pointers).
sarea_find_package(absl libabsl-dev)

find_path(CLD2_INCLUDE_DIR cld2/public/compact_lang_det.h)
find_library(CLD2_LIBRARY cld2)
if(NOT CLD2_INCLUDE_DIR OR NOT CLD2_LIBRARY)
  message(FATAL_ERROR "CLD2 not found: apt-get install libcld2-dev (or run scripts/install-deps)")
endif()
add_library(sarea_cld2 INTERFACE)
target_include_directories(sarea_cld2 INTERFACE ${CLD2_INCLUDE_DIR})
target_link_libraries(sarea_cld2 INTERFACE ${CLD2_LIBRARY})

# The programs' allocator: tcmalloc, from libgoogle-perftools-dev. glibc's
# malloc was 14% of the server's CPU under load (arenas, consolidation);
# with tcmalloc the server spends 9% less CPU a search and 33% less a
# suggestion, and an x1 build takes 21% less time
# (bench/results/2026-11-28-allocator.md). Sanitizer
# and libFuzzer builds bring their own malloc and keep it:
# SAREA_ALLOCATOR=system does the same for any build (valgrind's memcheck).
set(SAREA_ALLOCATOR "tcmalloc" CACHE STRING "The programs' malloc: tcmalloc or system")
set_property(CACHE SAREA_ALLOCATOR PROPERTY STRINGS tcmalloc system)
add_library(sarea_allocator INTERFACE)
if(SAREA_ALLOCATOR STREQUAL "tcmalloc" AND NOT SAREA_SANITIZE AND NOT SAREA_FUZZ)
  # Looked for only by the builds that link it.
  find_library(TCMALLOC_LIBRARY tcmalloc_minimal)
  if(NOT TCMALLOC_LIBRARY)
    message(FATAL_ERROR "tcmalloc not found: apt-get install libgoogle-perftools-dev (or run scripts/install-deps)")
  endif()
  # Debian links --as-needed: a program that allocated nothing itself would drop it.
  target_link_libraries(sarea_allocator INTERFACE "-Wl,--push-state,--no-as-needed"
                        ${TCMALLOC_LIBRARY} "-Wl,--pop-state")
elseif(NOT SAREA_ALLOCATOR MATCHES "^(tcmalloc|system)$")
  message(FATAL_ERROR "SAREA_ALLOCATOR must be tcmalloc or system, not ${SAREA_ALLOCATOR}")
endif()

set(SAREA_HUNSPELL_DIR "/usr/share/hunspell" CACHE PATH "Where Hunspell dictionaries live")
if(NOT EXISTS "${SAREA_HUNSPELL_DIR}/es_ES.dic")
  message(FATAL_ERROR "Spanish Hunspell dictionary not found in ${SAREA_HUNSPELL_DIR}: apt-get install hunspell-es")
endif()

if(SAREA_TESTS)
  find_package(GTest QUIET)
  if(NOT GTest_FOUND)
    message(FATAL_ERROR "GoogleTest not found: apt-get install libgtest-dev (or run scripts/install-deps)")
  endif()
endif()
