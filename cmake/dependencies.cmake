# Third-party libraries, all from Debian packages (scripts/setup.sh installs them).
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)

# Optional MPI for data-parallel training across processes (`mpirun -np N deepnet train`,
# src/dist/comm_mpi.cpp). AUTO: on when an MPI library is found (Debian: libopenmpi-dev).
# The binary only initialises MPI when launched by mpirun, so without mpirun it runs as
# before; MPIEXEC_EXECUTABLE (mpirun) is what the [mpi] tests launch.
set(DEEPNET_MPI AUTO CACHE STRING "Build the MPI data-parallel backend: AUTO (when MPI is found), ON, OFF")
set_property(CACHE DEEPNET_MPI PROPERTY STRINGS AUTO ON OFF)
set(DEEPNET_WITH_MPI OFF)
if(DEEPNET_MPI STREQUAL "ON")
  find_package(MPI REQUIRED COMPONENTS C)
elseif(DEEPNET_MPI STREQUAL "AUTO")
  find_package(MPI QUIET COMPONENTS C)
endif()
if(MPI_C_FOUND AND NOT DEEPNET_MPI STREQUAL "OFF")
  set(DEEPNET_WITH_MPI ON)
endif()
message(STATUS "MPI data-parallel backend: ${DEEPNET_WITH_MPI} ${MPIEXEC_EXECUTABLE}")

# CPU BLAS: OpenBLAS built for OpenMP (so its threads and ours are one pool). Chosen by
# measurement over BLIS; see docs/benchmarks.md. src/core/blas_setup.cpp fixes its core
# type on CPUs that OpenBLAS 0.3.21 misdetects.
find_path(DEEPNET_CBLAS_INCLUDE cblas.h
  PATHS /usr/include/x86_64-linux-gnu/openblas-openmp /usr/include/openblas NO_DEFAULT_PATH)
find_library(DEEPNET_BLAS_LIBRARY openblas
  PATHS /usr/lib/x86_64-linux-gnu/openblas-openmp NO_DEFAULT_PATH)
if(NOT DEEPNET_CBLAS_INCLUDE OR NOT DEEPNET_BLAS_LIBRARY)
  message(FATAL_ERROR "OpenBLAS (OpenMP build) not found: run scripts/setup.sh "
                      "(apt-get install libopenblas-openmp-dev)")
endif()
message(STATUS "CPU BLAS: ${DEEPNET_BLAS_LIBRARY}")

# oneDNN: the float models' GEMMs, and the bfloat16 GEMMs of precision [bfloat16, float32]
# (AMX tiles on Sapphire Rapids: 2-4x the float32 GEMM including rounding;
# docs/benchmarks.md). Debian's OpenBLAS 0.3.21 has no bfloat16 GEMM (sbgemm).
# Found by hand: Debian's dnnl-config.cmake also wants the OpenCL development files.
find_path(DEEPNET_DNNL_INCLUDE oneapi/dnnl/dnnl.hpp)
find_library(DEEPNET_DNNL_LIBRARY dnnl)
if(NOT DEEPNET_DNNL_INCLUDE OR NOT DEEPNET_DNNL_LIBRARY)
  message(FATAL_ERROR "oneDNN not found: run scripts/setup.sh (apt-get install libdnnl-dev)")
endif()
message(STATUS "oneDNN: ${DEEPNET_DNNL_LIBRARY}")

add_library(deepnet_deps INTERFACE)
target_include_directories(deepnet_deps INTERFACE ${DEEPNET_CBLAS_INCLUDE} ${DEEPNET_DNNL_INCLUDE})
target_link_libraries(deepnet_deps INTERFACE
  ${DEEPNET_BLAS_LIBRARY} ${DEEPNET_DNNL_LIBRARY} OpenMP::OpenMP_CXX yaml-cpp CLI11::CLI11 PkgConfig::SENTENCEPIECE ZLIB::ZLIB Threads::Threads)
if(DEEPNET_WITH_MPI)
  target_link_libraries(deepnet_deps INTERFACE MPI::MPI_C)
  target_compile_definitions(deepnet_deps INTERFACE DEEPNET_WITH_MPI=1)
endif()
