# Optional NCCL communicator for GPU ranks (src/dist/comm_nccl.cpp: host code calling NCCL on
# device buffers). NCCL itself is loaded at run time (src/dist/nccl_library.cpp: dlopen of
# libnccl.so.2), so the build needs only nccl.h and the CUDA runtime, and the binary runs
# where NCCL is missing until a job asks for it. AUTO: on when the CUDA backend is built
# (DEEPNET_WITH_CUDA) and nccl.h is found. ON: required, also while the CUDA backend is not
# built (checks that the file compiles). OFF: never. Without it comm_nccl.cpp compiles to a
# stub that throws. MPI is not needed: a multi-rank job bootstraps through MPI, a 1-rank
# NCCL job (the device check's) through the single-process communicator.
set(DEEPNET_NCCL AUTO CACHE STRING "Build the NCCL communicator: AUTO (with the CUDA backend), ON, OFF")
set_property(CACHE DEEPNET_NCCL PROPERTY STRINGS AUTO ON OFF)
set(DEEPNET_WITH_NCCL OFF)
if(DEEPNET_NCCL STREQUAL "ON" OR (DEEPNET_NCCL STREQUAL "AUTO" AND DEEPNET_WITH_CUDA))
  find_package(CUDAToolkit QUIET)
  find_path(DEEPNET_NCCL_INCLUDE nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include)
  if(CUDAToolkit_FOUND AND DEEPNET_NCCL_INCLUDE)
    set(DEEPNET_WITH_NCCL ON)
  elseif(DEEPNET_NCCL STREQUAL "ON")
    message(FATAL_ERROR "DEEPNET_NCCL=ON needs the CUDA toolkit and nccl.h: found "
                        "CUDA ${CUDAToolkit_FOUND}, ${DEEPNET_NCCL_INCLUDE}")
  endif()
endif()
message(STATUS "NCCL communicator: ${DEEPNET_WITH_NCCL}")
if(DEEPNET_WITH_NCCL)
  target_include_directories(deepnet_deps INTERFACE ${DEEPNET_NCCL_INCLUDE} ${CUDAToolkit_INCLUDE_DIRS})
  target_link_libraries(deepnet_deps INTERFACE CUDA::cudart ${CMAKE_DL_LIBS})
  target_compile_definitions(deepnet_deps INTERFACE DEEPNET_WITH_NCCL=1)
endif()
