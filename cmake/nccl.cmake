# Optional NCCL communicator for GPU ranks (src/dist/comm_nccl.cpp: host code calling NCCL on
# device buffers, its unique id broadcast through MPI). AUTO: on when the CUDA backend is
# built (DEEPNET_WITH_CUDA) and MPI, the CUDA toolkit and NCCL (nccl.h, libnccl) are found.
# ON: required, also while the CUDA backend has no sources yet (checks that the file
# compiles and links). OFF: never. Without it comm_nccl.cpp compiles to a stub that throws.
set(DEEPNET_NCCL AUTO CACHE STRING "Build the NCCL communicator: AUTO (with the CUDA backend), ON, OFF")
set_property(CACHE DEEPNET_NCCL PROPERTY STRINGS AUTO ON OFF)
set(DEEPNET_WITH_NCCL OFF)
if(DEEPNET_NCCL STREQUAL "ON" OR (DEEPNET_NCCL STREQUAL "AUTO" AND DEEPNET_WITH_CUDA))
  find_package(CUDAToolkit QUIET)
  find_path(DEEPNET_NCCL_INCLUDE nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include)
  find_library(DEEPNET_NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/cuda/lib64)
  if(CUDAToolkit_FOUND AND DEEPNET_WITH_MPI AND DEEPNET_NCCL_INCLUDE AND DEEPNET_NCCL_LIBRARY)
    set(DEEPNET_WITH_NCCL ON)
  elseif(DEEPNET_NCCL STREQUAL "ON")
    message(FATAL_ERROR "DEEPNET_NCCL=ON needs the CUDA toolkit, MPI and NCCL (nccl.h, libnccl): found "
                        "CUDA ${CUDAToolkit_FOUND}, MPI ${DEEPNET_WITH_MPI}, ${DEEPNET_NCCL_INCLUDE}, "
                        "${DEEPNET_NCCL_LIBRARY}")
  endif()
endif()
message(STATUS "NCCL communicator: ${DEEPNET_WITH_NCCL}")
if(DEEPNET_WITH_NCCL)
  target_include_directories(deepnet_deps INTERFACE ${DEEPNET_NCCL_INCLUDE} ${CUDAToolkit_INCLUDE_DIRS})
  target_link_libraries(deepnet_deps INTERFACE ${DEEPNET_NCCL_LIBRARY} CUDA::cudart)
  target_compile_definitions(deepnet_deps INTERFACE DEEPNET_WITH_NCCL=1)
endif()
