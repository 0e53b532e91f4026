package dev.panamax.transformer.tokenizer;

/** llama.cpp's test vectors for the byte-level BPE vocabularies split by GPT-2's pattern (alone or after digits). */
class LlamaCppGpt2FamilyVocabTest extends LlamaCppVocabTest {
    LlamaCppGpt2FamilyVocabTest() {
        super(Vocab.of("gpt-2"), Vocab.of("mpt"), Vocab.of("refact"), Vocab.of("starcoder"));
    }
}
