# Third-party libraries, all from Debian packages (scripts/setup.sh installs them).
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)

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

add_library(deepnet_deps INTERFACE)
target_include_directories(deepnet_deps INTERFACE ${DEEPNET_CBLAS_INCLUDE})
target_link_libraries(deepnet_deps INTERFACE
  ${DEEPNET_BLAS_LIBRARY} OpenMP::OpenMP_CXX yaml-cpp CLI11::CLI11 PkgConfig::SENTENCEPIECE ZLIB::ZLIB Threads::Threads)
