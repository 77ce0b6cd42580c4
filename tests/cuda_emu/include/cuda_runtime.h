// Emulated CUDA runtime (tests/cuda_emu/emu.h), found before any real CUDA header.
#pragma once
#include "emu.h"
