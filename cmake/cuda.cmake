# Optional CUDA backend. AUTO turns it on when nvcc is found. Only kernels/*_cuda.cu and
# src/**/*_cuda.cu are compiled by nvcc; no header seen by the CPU build includes CUDA.
set(DEEPNET_WITH_CUDA OFF)
if(NOT DEEPNET_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(DEEPNET_WITH_CUDA ON)
  elseif(DEEPNET_CUDA STREQUAL "ON")
    message(FATAL_ERROR "DEEPNET_CUDA=ON but no nvcc was found")
  endif()
endif()
message(STATUS "CUDA backend: ${DEEPNET_WITH_CUDA}")
if(DEEPNET_WITH_CUDA)
  # Before enable_language: it would otherwise set the compiler's default (sm_75 for nvcc
  # 13) and this default would never apply.
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES AND NOT DEFINED ENV{CUDAARCHS})
    set(CMAKE_CUDA_ARCHITECTURES 80-real 90-real 90-virtual)
  endif()
  enable_language(CUDA)
  find_package(CUDAToolkit REQUIRED)
  # Paths from this file's directory, so tests/cuda can include it as a project of its own.
  include(${CMAKE_CURRENT_LIST_DIR}/cuda_sources.cmake)
  if(NOT DEEPNET_CUDA_SOURCES)
    # Nothing to compile yet: the binary stays free of any CUDA dependency.
    message(STATUS "CUDA backend: no *_cuda.cu sources yet, nothing linked")
    set(DEEPNET_WITH_CUDA OFF)
  else()
    add_library(deepnet_cuda STATIC ${DEEPNET_CUDA_SOURCES})
    target_include_directories(deepnet_cuda PUBLIC ${DEEPNET_CUDA_ROOT})
    target_compile_features(deepnet_cuda PUBLIC cxx_std_17 cuda_std_17)
    # -lineinfo: source lines for Nsight Compute and compute-sanitizer, no slowdown.
    target_compile_options(deepnet_cuda PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-lineinfo>)
    target_link_libraries(deepnet_cuda PUBLIC CUDA::cudart CUDA::cublas CUDA::cublasLt)
  endif()
endif()
