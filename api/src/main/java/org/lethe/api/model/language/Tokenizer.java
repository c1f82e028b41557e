package org.lethe.api.model.language;

import org.osgi.annotation.versioning.ProviderType;

/** Turns text into a language model's token ids and back. */
@ProviderType
public interface Tokenizer {

    /** @return the number of distinct token ids, ids being 0 to size − 1 */
    int vocabularySize();

    /**
     * @param text text
     * @return its token ids, without markers
     */
    int[] encode(String text);

    /**
     * @param ids token ids
     * @return the text they stand for
     */
    String decode(int[] ids);
}
