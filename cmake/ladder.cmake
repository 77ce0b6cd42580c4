# The ladder of dependencies (docs/architecture.md), enforced by the build: one static
# library per level, each compiled against a staged include tree (build/ladder/<level>/)
# that holds symbolic links to its own directory and to the levels below it, nothing else.
# An #include that climbs the ladder ("src/train/..." from src/model) therefore fails to
# compile. (A call into a level above through a hand-written prototype would still link:
# the binary links every level; the include rule is what keeps the headers one-way.)
#
#   deepnet_level(<name> DIR <kernels|src/x> DEPS <levels below>)
# Sources: <DIR>/*.cpp (for kernels/, the *_cpu.cpp twins). Each level records what it
# sees in DEEPNET_SEES_<name>, so a level sees the transitive closure of its DEPS (headers
# of a level include the headers of its own dependencies).

set(DEEPNET_LADDER_ROOT ${CMAKE_BINARY_DIR}/ladder)
add_library(deepnet_flags INTERFACE)
target_compile_options(deepnet_flags INTERFACE -march=${DEEPNET_CPU_ARCH})
target_compile_definitions(deepnet_flags INTERFACE DEEPNET_VERSION="${PROJECT_VERSION}")

function(deepnet_level name)
  cmake_parse_arguments(L "" "DIR" "DEPS" ${ARGN})
  set(sees ${L_DIR})
  foreach(dep ${L_DEPS})
    list(APPEND sees ${DEEPNET_SEES_${dep}})
  endforeach()
  list(REMOVE_DUPLICATES sees)
  set(DEEPNET_SEES_${name} ${sees} PARENT_SCOPE)

  set(stage ${DEEPNET_LADDER_ROOT}/${name})
  file(REMOVE_RECURSE ${stage})
  file(MAKE_DIRECTORY ${stage}/src)
  foreach(dir ${sees})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${dir} ${stage}/${dir} SYMBOLIC)
  endforeach()

  if(L_DIR STREQUAL "kernels")
    file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/kernels/*_cpu.cpp)
  else()
    file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${L_DIR}/*.cpp)
  endif()
  set(target deepnet_${name})
  add_library(${target} STATIC ${sources})
  target_include_directories(${target} PRIVATE ${stage})
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  target_link_libraries(${target} PUBLIC deepnet_flags PRIVATE deepnet_deps)
  foreach(dep ${L_DEPS})
    target_link_libraries(${target} PRIVATE deepnet_${dep})
  endforeach()
endfunction()

deepnet_level(kernels DIR kernels)
deepnet_level(core DIR src/core)
deepnet_level(ops DIR src/ops DEPS kernels core)
target_compile_definitions(deepnet_ops PRIVATE DEEPNET_OPS_TU)  # src/ops/op_checks.h
deepnet_level(layers DIR src/layers DEPS ops)
deepnet_level(model DIR src/model DEPS layers)
deepnet_level(config DIR src/config DEPS model)
deepnet_level(io DIR src/io DEPS config)
deepnet_level(data DIR src/data DEPS config)
deepnet_level(eval DIR src/eval DEPS core)
deepnet_level(translate DIR src/translate DEPS io data)
deepnet_level(dist DIR src/dist DEPS config)
deepnet_level(train DIR src/train DEPS translate dist eval)
deepnet_level(app DIR src/app DEPS train)

# Everything, for the binary, the tests and the benchmarks (which include from the root).
add_library(deepnet_lib INTERFACE)
target_include_directories(deepnet_lib INTERFACE ${PROJECT_SOURCE_DIR})
target_link_libraries(deepnet_lib INTERFACE deepnet_app deepnet_train deepnet_translate deepnet_dist
                      deepnet_eval deepnet_data deepnet_io deepnet_config deepnet_model deepnet_layers
                      deepnet_ops deepnet_core deepnet_kernels deepnet_flags deepnet_deps)
