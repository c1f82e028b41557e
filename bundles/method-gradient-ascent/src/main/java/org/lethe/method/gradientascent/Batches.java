package org.lethe.method.gradientascent;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.lethe.api.data.QaItem;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;

/** Question–answer items to a language model's batch. */
final class Batches {

    private Batches() {
    }

    static QaBatch encode(LanguageModel lm, List<QaItem> items, NDManager scope) {
        return lm.encode(items.stream().map(QaItem::question).toList(), items.stream().map(QaItem::answer).toList(), scope);
    }
}
