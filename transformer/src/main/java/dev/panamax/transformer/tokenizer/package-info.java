/**
 * Tokenizers that reproduce llama.cpp's token ids exactly: SentencePiece-style BPE with byte
 * fallback ({@link dev.panamax.transformer.tokenizer.SpmTokenizer}, GGUF {@code tokenizer.ggml.model
 * = "llama"}) and GPT-2 byte-level BPE ({@link dev.panamax.transformer.tokenizer.BpeTokenizer},
 * {@code "gpt2"}) with the pre-tokenizers of {@link dev.panamax.transformer.tokenizer.PreTokenizer}, WordPiece
 * ({@code "bert"}); and Hugging Face {@code tokenizer.json} files ({@link dev.panamax.transformer.tokenizer.HuggingFaceTokenizer},
 * stages in the internal package {@code tokenizer.hf}).
 *
 * <p>Start from {@link dev.panamax.transformer.tokenizer.Tokenizer}: {@code Tokenizer.fromGguf(...)},
 * {@code Tokenizer.fromHuggingFace(path)} or {@code Tokenizer.create(TokenizerConfig)} for plain Java
 * data. Decode with {@link dev.panamax.transformer.tokenizer.Tokenizer#decode(int[])} or, one token at
 * a time, with a {@link dev.panamax.transformer.tokenizer.StreamingDecoder}.
 */
package dev.panamax.transformer.tokenizer;
