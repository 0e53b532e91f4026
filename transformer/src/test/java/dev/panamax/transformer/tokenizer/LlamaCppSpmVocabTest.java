package dev.panamax.transformer.tokenizer;

/**
 * llama.cpp's test vectors for the SentencePiece vocabularies (Llama 2, Phi-3), and Llama 2's vectors
 * again on the vocabulary inside a full model file (llama-2-tiny-random.gguf).
 */
class LlamaCppSpmVocabTest extends LlamaCppVocabTest {
    LlamaCppSpmVocabTest() {
        super(Vocab.of("llama-spm"), Vocab.of("phi-3"),
                new Vocab("llama-2-tiny-random", "llama-2-tiny-random.gguf", "llama-spm"));
    }
}
