# wagate_prefer_static_archive(<imported target>...)
# Points shared-library imported targets (Boost's CMake packages pick the
# shared or the static variant for the whole build, and switching changes
# their compile definitions, hence every object) at the static archive next
# to the shared object, when there is one. BOOST_*_DYN_LINK stays defined;
# on ELF it only selects default symbol visibility, so the objects are the
# same either way.
function(wagate_prefer_static_archive)
  foreach(target ${ARGN})
    if(NOT TARGET ${target})
      continue()
    endif()
    foreach(config RELEASE NOCONFIG DEBUG)
      get_target_property(location ${target} IMPORTED_LOCATION_${config})
      if(location)
        string(REGEX REPLACE "\\.so(\\.[0-9]+)*$" ".a" archive "${location}")
        if(EXISTS "${archive}")
          set_target_properties(${target} PROPERTIES IMPORTED_LOCATION_${config} "${archive}")
        endif()
      endif()
    endforeach()
  endforeach()
endfunction()

# wagate_forget_found_libraries(<regex>)
# find_package results are cached: a build directory configured before
# WAGATE_STATIC_LIBS changed would keep its old choice silently. Forgets the
# cached library paths matching <regex> so the next find looks again.
function(wagate_forget_found_libraries regex)
  foreach(var OPENSSL_CRYPTO_LIBRARY OPENSSL_SSL_LIBRARY SQLite3_LIBRARY PNG_LIBRARY_RELEASE
              PNG_LIBRARY_DEBUG ZLIB_LIBRARY_RELEASE ZLIB_LIBRARY_DEBUG Protobuf_LIBRARY_RELEASE
              Protobuf_LIBRARY_DEBUG Protobuf_LITE_LIBRARY_RELEASE Protobuf_LITE_LIBRARY_DEBUG
              Protobuf_PROTOC_LIBRARY_RELEASE Protobuf_PROTOC_LIBRARY_DEBUG)
    if(DEFINED CACHE{${var}} AND "$CACHE{${var}}" MATCHES "${regex}")
      unset(${var} CACHE)
    endif()
  endforeach()
endfunction()
