// Emulated cub::DeviceRadixSort::SortPairs: a stable sort of (key, value) pairs by the key
// bits [begin_bit, end_bit), with CUB's two-call protocol (a null temp_storage asks for the
// temporary size).
#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

#include "emu.h"

namespace cub {
struct DeviceRadixSort {
    template <typename K, typename V>
    static cudaError_t SortPairs(void* temp, size_t& temp_bytes, const K* keys_in, K* keys_out,
                                 const V* values_in, V* values_out, int n, int begin_bit = 0,
                                 int end_bit = int(sizeof(K) * 8), cudaStream_t = nullptr) {
        if (!temp) {
            temp_bytes = 256;
            return cudaSuccess;
        }
        const auto bits = [&](K k) {
            using U = std::make_unsigned_t<K>;
            const int width = end_bit - begin_bit;
            const U mask = width >= int(sizeof(K) * 8) ? U(~U(0)) : U((U(1) << width) - 1);
            return (U(k) >> begin_bit) & mask;
        };
        std::vector<int> order(size_t(n > 0 ? n : 0));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return bits(keys_in[a]) < bits(keys_in[b]); });
        std::vector<K> k(order.size());
        std::vector<V> v(order.size());
        for (size_t i = 0; i < order.size(); ++i) k[i] = keys_in[order[i]], v[i] = values_in[order[i]];
        std::copy(k.begin(), k.end(), keys_out);
        std::copy(v.begin(), v.end(), values_out);
        return cudaSuccess;
    }
};
}  // namespace cub
