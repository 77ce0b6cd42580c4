# The one list of CUDA sources, for the real CUDA build (cmake/cuda.cmake) and the emulated
# one (tests/cuda_emu): every *_cuda.cu of kernels/ and src/, and each kernel's CPU twin,
# the _cpu.cpp of the same stem (the CUDA tests compare the two).
get_filename_component(DEEPNET_CUDA_ROOT ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
file(GLOB DEEPNET_CUDA_SOURCES CONFIGURE_DEPENDS ${DEEPNET_CUDA_ROOT}/kernels/*_cuda.cu
     ${DEEPNET_CUDA_ROOT}/src/*/*_cuda.cu)
set(DEEPNET_CUDA_CPU_TWINS "")
foreach(cu ${DEEPNET_CUDA_SOURCES})
  string(REGEX REPLACE "_cuda\\.cu$" "_cpu.cpp" twin ${cu})
  if(EXISTS ${twin})
    list(APPEND DEEPNET_CUDA_CPU_TWINS ${twin})
  endif()
endforeach()
