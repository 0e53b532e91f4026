package dev.panamax.transformer.tokenizer;

/** llama.cpp's test vectors for the SentencePiece vocabularies (Llama 2, Phi-3). */
class LlamaCppSpmVocabTest extends LlamaCppVocabTest {
    LlamaCppSpmVocabTest() {
        super("llama-spm", "phi-3");
    }
}
