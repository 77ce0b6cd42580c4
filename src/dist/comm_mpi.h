// The MPI communicator: one rank per process under mpirun, collectives on host buffers.
// MPI is initialised (MPI_Init_thread, FUNNELED: only the main thread calls MPI) when the
// communicator is made and finalised when it is destroyed; a process not launched by
// mpirun never makes one, so it never initialises MPI.
#pragma once

#include <memory>

#include "src/dist/communicator.h"

namespace deepnet::dist {

// Throws UserError in a build without MPI (DEEPNET_WITH_MPI undefined).
std::unique_ptr<Communicator> make_mpi_communicator();

}  // namespace deepnet::dist
