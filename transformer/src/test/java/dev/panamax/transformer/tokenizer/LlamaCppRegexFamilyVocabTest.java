package dev.panamax.transformer.tokenizer;

/**
 * llama.cpp's test vectors for the byte-level BPE vocabularies whose pre-tokenizers chain several
 * regular expressions (DeepSeek LLM, DeepSeek Coder, Falcon). With the GPT-2 family and the
 * SentencePiece classes this covers every vocabulary of the test data but bert-bge (WordPiece).
 */
class LlamaCppRegexFamilyVocabTest extends LlamaCppVocabTest {
    LlamaCppRegexFamilyVocabTest() {
        super(Vocab.of("deepseek-llm"), Vocab.of("deepseek-coder"), Vocab.of("falcon"));
    }
}
