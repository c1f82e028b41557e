package org.lethe.models.tiny;

import java.util.Map;
import org.lethe.models.text.WordLanguageModel;

/** A tiny language model in memory: the shared word-level model with the fixed-context block. */
final class TinyLanguageModel extends WordLanguageModel {

    private final TinyLmConfig config;

    TinyLanguageModel(TinyLmConfig config, long seed) {
        super(TinyLmArchitecture.NAME, config.vocabulary(), config.maxLength(),
                vocabulary -> new TinyLmBlock(vocabulary, config.context(), config.embedding(), config.hidden()));
        this.config = config;
        model().getNDManager().getEngine().setRandomSeed((int) seed);
        initialize();
    }

    @Override
    public Map<String, String> config() {
        return config.toMap();
    }
}
