package dev.panamax.transformer.tokenizer;

/**
 * llama.cpp's test vectors for every byte-level BPE vocabulary in the test data whose pre-tokenizer
 * this package implements (all but bert-bge, which is WordPiece).
 */
class LlamaCppBpeVocabTest extends LlamaCppVocabTest {
    LlamaCppBpeVocabTest() {
        super("gpt-2", "deepseek-llm", "deepseek-coder", "falcon", "mpt", "refact", "starcoder");
    }
}
