package org.lethe.evaluation.scoring;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.lethe.api.data.QaItem;

/** The keys of per-item values: an item's id, or {@code #<index>} where it has none. */
public final class ItemKeys {

    private ItemKeys() {
    }

    /**
     * The key of every item, in data order. An item's key is its {@link QaItem#id() id}; an item
     * whose id is blank, or repeats an earlier item's key, gets {@code #<index>} (its position in
     * the list, from 0), so keys are unique and per-item maps lose nothing.
     *
     * @param items the items
     * @return one key per item, in the same order
     */
    public static List<String> of(List<QaItem> items) {
        return ofIds(items.stream().map(QaItem::id).toList());
    }

    /**
     * The keys of items of any kind by their ids, as {@link #of} makes them: the id, or
     * {@code #<index>} for a blank or repeated one.
     *
     * @param ids the items' ids, in data order
     * @return one key per item, in the same order
     */
    public static List<String> ofIds(List<String> ids) {
        List<String> keys = new ArrayList<>(ids.size());
        Set<String> used = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            String key = id.isBlank() || used.contains(id) ? "#" + i : id;
            used.add(key);
            keys.add(key);
        }
        return keys;
    }
}
