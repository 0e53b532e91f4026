// Host program for WeightLayoutTest: dequantizes rows with the kernels' weight_at<TYPE> on the CPU.
// Usage: dequantize_rows <ggml type id> <values per row> <rows> <in: raw rows> <out: float32 values>
#include "../../main/cuda/common.cuh"
#include <cstdio>
#include <cstdlib>
#include <vector>

template <int TYPE>
static void run(const std::vector<uint8_t>& in, long long rowBytes, int k, int rows, std::vector<float>& out) {
    for (int r = 0; r < rows; r++)
        for (int i = 0; i < k; i++) out[(size_t) r * k + i] = weight_at<TYPE>(in.data() + r * rowBytes, i);
}

int main(int argc, char** argv) {
    if (argc != 6) return 2;
    int type = atoi(argv[1]), k = atoi(argv[2]), rows = atoi(argv[3]);
    FILE* f = fopen(argv[4], "rb");
    if (!f) return 3;
    std::vector<uint8_t> in;
    int c;
    while ((c = fgetc(f)) != EOF) in.push_back((uint8_t) c);
    fclose(f);
    long long rowBytes = (long long) in.size() / rows;
    std::vector<float> out((size_t) rows * k);
    switch (type) {
        case 0: run<0>(in, rowBytes, k, rows, out); break;
        case 1: run<1>(in, rowBytes, k, rows, out); break;
        case 30: run<30>(in, rowBytes, k, rows, out); break;
        case 8: run<8>(in, rowBytes, k, rows, out); break;
        case 2: run<2>(in, rowBytes, k, rows, out); break;
        case 12: run<12>(in, rowBytes, k, rows, out); break;
        case 14: run<14>(in, rowBytes, k, rows, out); break;
        default: return 4;
    }
    FILE* o = fopen(argv[5], "wb");
    if (!o) return 5;
    fwrite(out.data(), sizeof(float), out.size(), o);
    fclose(o);
    return 0;
}
