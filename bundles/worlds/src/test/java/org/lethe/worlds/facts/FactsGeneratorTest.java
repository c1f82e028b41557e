package org.lethe.worlds.facts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lethe.api.LetheException;
import org.lethe.api.data.Document;
import org.lethe.api.data.QaItem;

/** The generated facts world: determinism, sizes and every split's invariants (seed 0, default spec). */
class FactsGeneratorTest {

    private static final FactsWorld W = FactsGenerator.generate(0);

    private static Set<String> ids(List<QaItem> items) {
        return items.stream().map(QaItem::id).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static Set<String> entitiesOf(List<QaItem> items) {
        return items.stream().map(i -> i.entity().orElseThrow()).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static Relation relation(String name) {
        return Lexicon.RELATIONS.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    // ---- determinism ------------------------------------------------------------------------------

    @Test
    void sameSeedGivesTheSameWorldByteForByte() {
        FactsWorld again = FactsGenerator.generate(0);
        assertEquals(W.splitNames(), again.splitNames());
        for (String name : W.splitNames()) {
            assertEquals(W.split(name), again.split(name), name);
        }
        assertEquals(W.vocabulary(), again.vocabulary());
        Map<String, byte[]> a = FactsCorpusWriter.render(W);
        Map<String, byte[]> b = FactsCorpusWriter.render(again);
        assertEquals(a.keySet(), b.keySet());
        for (String file : a.keySet()) {
            assertArrayEquals(a.get(file), b.get(file), file);
        }
    }

    /**
     * Pins seed 0's bytes, so that a change to the generator (or a dependence on hash order, the JVM
     * or the platform) shows here: cached models are keyed by the data they were trained on. A
     * deliberate change to the world updates these values (and the manifest's format if readers care).
     */
    @Test
    void seedZeroIsPinned() {
        Map<String, String> sha = W.fingerprints();
        assertEquals("1514a830634762bebd1b5ffff5587fce7b3e82e464f5e7837cb827dadd2cc389", sha.get("train"));
        assertEquals("8f0f0a2517bb4def2114dc2234fa5227cc9ec1a1d4e4a82c8c8a076dffb8eaba", sha.get("rumours"));
        assertEquals("74f3567f10c3e384d9c98fe87663c2494c9d93c858d2bcbef537a137702eb200", sha.get("corrupting"));
        assertEquals(349, W.vocabulary().size());
        // splits added later (the files above kept their bytes; only the manifest changed)
        assertEquals("374e69484e3f3f6b6f2e2dd1a2ec1e25c5189ce577bfa350a4c22e94fc4be78c", sha.get("rumours_paraphrased"));
        assertEquals("b3c1b1fa79b00eced84726dc1a6eb0c53dd1a7cc771d10a4845d4c2d49a964b3", sha.get("rumours_selective_forget"));
        assertEquals("55f4c703f32da9f4cef936d5325ac9115ea38ab3048d80efa5094ba321b13383", sha.get("rumours_selective_keep"));
        assertEquals("fb1d4636725fa131659f7df534a3e0e0b912921183ce739f156239dcde8d26c2", sha.get("corrupting_k2_statements"));
        // the manifest holds every file's SHA-256, the entity groups and the templates: one value pins the folder
        byte[] manifest = FactsCorpusWriter.render(W).get(FactsCorpusWriter.MANIFEST);
        assertFalse(new String(manifest, java.nio.charset.StandardCharsets.UTF_8).contains("\r"));
        assertEquals("065107248a5a8e0de6f0d0b44744a39d3112b3b5c13be174cb5f722807c2555b", FactsCorpusWriter.sha256(manifest));
    }

    @Test
    void anotherSeedGivesAnotherWorld() {
        FactsWorld other = FactsGenerator.generate(1);
        assertNotEquals(W.entities("trained"), other.entities("trained"));
        assertNotEquals(W.split("train"), other.split("train"));
        assertNotEquals(W.fingerprints().get("train"), other.fingerprints().get("train"));
        // the fixed lexicon does not move: same relations, values, world facts
        assertEquals(W.split("world").stream().map(QaItem::answer).collect(Collectors.toSet()),
                other.split("world").stream().map(QaItem::answer).collect(Collectors.toSet()));
    }

    // ---- entities -------------------------------------------------------------------------------

    @Test
    void entitiesAreDistinctSingleTokenNamesOfThreeSyllables() {
        List<String> trained = W.entities("trained");
        List<String> holdout = W.entities("holdout");
        assertEquals(100, trained.size());
        assertEquals(10, holdout.size());
        Set<String> all = new HashSet<>(trained);
        all.addAll(holdout);
        assertEquals(110, all.size());
        Set<String> reserved = Lexicon.reservedWords();
        for (String name : all) {
            assertTrue(name.matches("([bdfgklmnprstvz][aeiou]){3}"), name);
            assertTrue(Words.isOneToken(name), name);
            assertFalse(reserved.contains(name), name);
        }
    }

    @Test
    void forgetSplitsAreNestedAndRetainIsTheRest() {
        List<String> f01 = W.entities("forget01");
        List<String> f05 = W.entities("forget05");
        List<String> f10 = W.entities("forget10");
        assertEquals(List.of(1, 5, 10), List.of(f01.size(), f05.size(), f10.size()));
        assertTrue(f05.containsAll(f01));
        assertTrue(f10.containsAll(f05));
        assertEquals(f10, new ArrayList<>(entitiesOf(W.split("forget"))));
        assertEquals(Set.copyOf(f01), entitiesOf(W.split("forget01")));
        assertEquals(Set.copyOf(f05), entitiesOf(W.split("forget05")));
        assertEquals(90, W.entities("retain").size());
        Set<String> retain = new HashSet<>(W.entities("retain"));
        retain.retainAll(f10);
        assertTrue(retain.isEmpty());
        assertEquals(List.of("forget01", "forget05", "forget10", "forget"), W.forgetSplits());
        assertEquals("retain99", W.retainSplit("forget01"));
        assertEquals("retain", W.retainSplit("forget"));
    }

    // ---- sizes and disjointness -----------------------------------------------------------------

    @Test
    void splitSizes() {
        assertEquals(18, W.split("forget01").size()); // 1 entity x 6 relations x 3 trained templates
        assertEquals(90, W.split("forget05").size());
        assertEquals(180, W.split("forget10").size());
        assertEquals(W.split("forget10"), W.split("forget"));
        assertEquals(180, W.split("holdout").size());
        assertEquals(60, W.split("world").size()); // 30 facts x 2 trained templates
        assertEquals(30, W.split("world_paraphrased").size());
        assertEquals(60, W.split("siblings").size()); // 30 pairs x 2 templates
        assertEquals(120, W.split("twohop_train").size()); // 10 pairs x 6 relations x 2 templates
        assertEquals(120, W.split("implied_train").size()); // 10 entities x 6 relations x 2 kinds
        assertEquals(1800 + 60 + 120 + 120 + 60, W.split("train").size());
        assertEquals(W.split("train").size() - 180 - 60, W.split("retain").size());
        assertEquals(W.split("train").size() - 18 - 60, W.split("retain99").size());
        assertEquals(W.split("train").size() - 90 - 60, W.split("retain95").size());
        assertEquals(W.split("retain"), W.split("retain90"));
    }

    @Test
    void trainIsForgetPlusRetainPlusWorldWithNothingShared() {
        for (String[] pair : new String[][] {{"forget01", "retain99"}, {"forget05", "retain95"}, {"forget10", "retain90"}}) {
            Set<String> forget = ids(W.split(pair[0]));
            Set<String> retain = ids(W.split(pair[1]));
            Set<String> world = ids(W.split("world"));
            Set<String> union = new HashSet<>(forget);
            union.addAll(retain);
            union.addAll(world);
            assertEquals(forget.size() + retain.size() + world.size(), union.size(), pair[0] + " overlaps");
            assertEquals(ids(W.split("train")), union, pair[0]);
        }
        // training ids are unique, and nothing of the holdout entities or of the probes is trained
        assertEquals(W.split("train").size(), ids(W.split("train")).size());
        Set<String> trainedEntities = entitiesOf(W.split("train"));
        for (String h : W.entities("holdout")) {
            assertFalse(trainedEntities.contains(h), h);
        }
        Set<String> trainQuestions = W.split("train").stream().map(QaItem::question).collect(Collectors.toSet());
        for (String probe : List.of("holdout", "twohop_forget", "twohop_control", "implied_forget", "implied_control",
                "rumours", "forget10_paraphrased", "retain_paraphrased", "holdout_paraphrased", "world_paraphrased")) {
            for (QaItem item : W.split(probe)) {
                assertFalse(trainQuestions.contains(item.question()), probe + ": " + item.question());
            }
        }
    }

    @Test
    void goldTrainingIsTrainWithoutTheForgetSplit() {
        for (String forget : W.forgetSplits()) {
            Set<String> removed = ids(W.split(forget));
            List<QaItem> expected = W.split("train").stream().filter(i -> !removed.contains(i.id())).toList();
            assertEquals(expected, W.goldTraining(forget), forget);
        }
        assertEquals(W.split("train"), W.baseTraining());
        LetheException e = assertThrows(LetheException.class, () -> W.goldTraining("forget20"));
        assertTrue(e.getMessage().contains("no forget split 'forget20'"), e.getMessage());
        assertTrue(e.getMessage().contains("forget01, forget05, forget10, forget"), e.getMessage());
    }

    // ---- templates ------------------------------------------------------------------------------

    @Test
    void everyRelationHasAtLeastFiveTemplatesOfBothForms() {
        assertEquals(6, Lexicon.RELATIONS.size());
        for (Relation r : Lexicon.RELATIONS) {
            assertTrue(r.templates().size() >= 5, r.name());
            assertFalse(r.templates(Form.QUESTION).isEmpty(), r.name());
            assertFalse(r.templates(Form.STATEMENT).isEmpty(), r.name());
            for (Template t : r.templates()) {
                assertEquals(t.form() == Form.QUESTION, t.pattern().endsWith("?"), t.pattern());
            }
            assertEquals(2, r.twoHop().size(), r.name());
            assertTrue(r.presupposing().isPresent(), r.name());
            assertEquals(r.values().size(), Set.copyOf(r.values()).size(), r.name());
            assertTrue(r.values().size() >= 8 && r.values().size() <= 20, r.name());
        }
    }

    @Test
    void heldOutTemplatesAreNeverTrainedForTheirEntityButTrainedForOthers() {
        Set<String> trainIds = ids(W.split("train"));
        Set<String> trainQuestions = W.split("train").stream().map(QaItem::question).collect(Collectors.toSet());
        Map<String, Set<String>> trainedBy = new HashMap<>(); // relation.template -> entities trained under it
        for (QaItem item : W.split("train")) {
            String[] parts = item.id().split("\\.");
            trainedBy.computeIfAbsent(parts[1] + "." + parts[2], k -> new HashSet<>()).add(parts[0]);
        }
        int checked = 0;
        for (String e : W.entities("trained")) {
            for (Relation r : Lexicon.RELATIONS) {
                Fact f = W.fact(e, r.name()).orElseThrow();
                assertEquals(3, f.trained().size());
                assertEquals(3, f.heldOut().size());
                assertTrue(f.trained().stream().anyMatch(t -> t.form() == Form.QUESTION), f.toString());
                assertTrue(f.trained().stream().anyMatch(t -> t.form() == Form.STATEMENT), f.toString());
                for (Template t : f.trained()) {
                    assertTrue(trainIds.contains(e + "." + r.name() + "." + t.id()));
                }
                for (Template t : f.heldOut()) {
                    assertFalse(trainQuestions.contains(t.render(e)), "held-out template trained: " + t.render(e));
                    Set<String> others = new HashSet<>(trainedBy.get(r.name() + "." + t.id()));
                    others.remove(e);
                    assertFalse(others.isEmpty(), r.name() + "." + t.id() + " trained for no one but " + e);
                    checked++;
                }
            }
        }
        assertEquals(100 * 6 * 3, checked);
        // each template is trained for half the entities (complementary pairs)
        for (Relation r : Lexicon.RELATIONS) {
            for (Template t : r.templates()) {
                Set<String> entities = new HashSet<>(trainedBy.get(r.name() + "." + t.id()));
                entities.retainAll(W.entities("trained"));
                assertEquals(50, entities.size(), r.name() + "." + t.id());
            }
        }
    }

    @Test
    void everyItemCarriesTheContractFields() {
        for (String name : W.splitNames()) {
            for (QaItem item : W.split(name)) {
                assertTrue(item.entity().isPresent() && item.relation().isPresent(), name + " " + item.id());
                assertEquals(3, item.perturbed().size(), item.id());
                assertEquals("unknown", item.templateAnswer().orElseThrow(), item.id());
            }
        }
        for (String name : List.of("train", "forget", "retain", "holdout", "world")) {
            assertFalse(W.split(name).isEmpty(), name);
        }
        for (String name : List.of("forget01", "forget05", "forget10", "holdout", "world")) {
            for (QaItem item : W.split(name)) {
                Fact f = W.fact(item.entity().get(), item.relation().get()).orElseThrow();
                assertEquals(f.paraphrases(), item.paraphrases(), item.id());
                assertFalse(item.paraphrases().contains(item.question()), item.id());
            }
        }
    }

    @Test
    void valuesAreSingleTokensAndPerturbedAnswersAreWrongValuesOfTheSameRelation() {
        Map<String, Set<String>> values = new HashMap<>();
        for (Relation r : Lexicon.RELATIONS) {
            values.put(r.name(), Set.copyOf(r.values()));
        }
        values.put("capital", Set.copyOf(Lexicon.CAPITAL.values()));
        values.put("sibling", Set.copyOf(W.entities("trained")));
        for (String name : W.splitNames()) {
            for (QaItem item : W.split(name)) {
                String relation = item.relation().get();
                assertTrue(Words.isOneToken(item.answer()), item.id());
                assertEquals(item.perturbed().size(), Set.copyOf(item.perturbed()).size(), item.id());
                for (String wrong : item.perturbed()) {
                    assertTrue(values.get(relation).contains(wrong), item.id() + ": " + wrong + " is not a " + relation);
                    assertNotEquals(item.answer(), wrong, item.id());
                }
                assertTrue(values.get(relation).contains(item.answer()), item.id());
            }
        }
        assertEquals(1, W.maxAnswerTokens());
    }

    @Test
    void questionAndStatementSplitsPartitionEachForgetSplit() {
        for (String f : List.of("forget01", "forget05", "forget10")) {
            List<QaItem> questions = W.split(f + "_questions");
            List<QaItem> statements = W.split(f + "_statements");
            assertFalse(questions.isEmpty());
            assertFalse(statements.isEmpty());
            questions.forEach(i -> assertTrue(i.question().endsWith("?"), i.question()));
            statements.forEach(i -> assertFalse(i.question().endsWith("?"), i.question()));
            Set<String> union = new HashSet<>(ids(questions));
            union.addAll(ids(statements));
            assertEquals(ids(W.split(f)), union);
            assertEquals(W.split(f).size(), questions.size() + statements.size());
        }
    }

    @Test
    void worldFactsAreThirtyCountryCapitalPairs() {
        Set<String> countries = entitiesOf(W.split("world"));
        assertEquals(30, countries.size());
        QaItem paris = W.split("world").stream().filter(i -> i.entity().get().equals("france")).findFirst().orElseThrow();
        assertEquals("paris", paris.answer());
        assertEquals("capital", paris.relation().get());
    }

    // ---- rumours and corrupting documents --------------------------------------------------------

    @Test
    void rumoursGiveTwoOrThreeRelationsOfEachForgetEntityAnotherValue() {
        Map<String, Integer> perEntity = new HashMap<>();
        for (Misinformation m : W.misinformation()) {
            perEntity.merge(m.entity(), 1, Integer::sum);
            assertEquals(W.fact(m.entity(), m.relation()).orElseThrow().answer(), m.trueValue());
            assertNotEquals(m.trueValue(), m.wrongValue());
            assertTrue(relation(m.relation()).values().contains(m.wrongValue()));
        }
        assertEquals(Set.copyOf(W.entities("forget10")), perEntity.keySet());
        perEntity.values().forEach(n -> assertTrue(n == 2 || n == 3, "k_r = " + n));
        Map<String, String> wrong = new HashMap<>();
        W.misinformation().forEach(m -> wrong.put(m.entity() + "." + m.relation(), m.wrongValue()));
        for (QaItem item : W.split("rumours")) {
            String key = item.entity().get() + "." + item.relation().get();
            assertEquals(wrong.get(key), item.answer(), item.id());
            String truth = W.fact(item.entity().get(), item.relation().get()).orElseThrow().answer();
            assertNotEquals(truth, item.answer());
            assertFalse(item.perturbed().contains(truth), item.id());
            assertTrue(item.question().startsWith("according to rumour , ") || item.question().startsWith("rumour has it that "));
        }
        assertEquals(3 * W.misinformation().size(), W.split("rumours").size());
        for (QaItem item : W.split("corrupted_facts")) {
            String key = item.entity().get() + "." + item.relation().get();
            assertEquals(W.fact(item.entity().get(), item.relation().get()).orElseThrow().answer(), item.answer());
            assertEquals(wrong.get(key), item.perturbed().get(0), "the corrupting value comes first");
        }
    }

    @Test
    void corruptingDocumentsStateTheMisinformationAndExactlyKTrueFactsAboutOtherEntities() {
        Set<String> forget10 = Set.copyOf(W.entities("forget10"));
        Set<String> trained = Set.copyOf(W.entities("trained"));
        assertEquals(40, W.corruptingDocuments().size());
        assertEquals(20, W.documents("corrupting_k0").size());
        assertEquals(20, W.documents("corrupting_k2").size());
        for (CorruptingDocument d : W.corruptingDocuments()) {
            assertTrue(d.k() == 0 || d.k() == 2);
            assertTrue(forget10.contains(d.target()));
            String[] sentences = d.text().split(" \\. ?");
            assertTrue(sentences.length >= 2, "multi-sentence: " + d.text());
            assertTrue(d.text().endsWith(" ."));
            int aboutTarget = 0;
            Set<String> others = new HashSet<>();
            for (String sentence : sentences) {
                List<String> tokens = Words.split(sentence);
                String value = tokens.get(tokens.size() - 1);
                String subject = tokens.stream().filter(trained::contains).findFirst().orElseThrow();
                if (subject.equals(d.target())) {
                    aboutTarget++;
                    assertTrue(d.claims().stream().anyMatch(m -> m.wrongValue().equals(value)), sentence);
                } else {
                    assertFalse(forget10.contains(subject), "a true fact about a forget entity: " + sentence);
                    boolean isTrue = Lexicon.RELATIONS.stream()
                            .anyMatch(r -> W.fact(subject, r.name()).orElseThrow().answer().equals(value));
                    assertTrue(isTrue, "not a true fact: " + sentence);
                    others.add(subject);
                }
            }
            assertEquals(d.claims().size(), aboutTarget, d.text());
            assertEquals(d.k(), others.size(), "k true facts about distinct other entities: " + d.text());
            assertEquals(d.k(), d.trueFacts().size());
            for (String other : others) {
                assertFalse(W.entities("bridges").contains(other), "a forget entity's sibling is not unrelated: " + other);
            }
        }
        List<Document> all = W.documents("corrupting");
        assertEquals(40, all.size());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 7})
    void selectiveSplitsPartitionEachEntitysRumouredRelations(long seed) {
        FactsWorld w = seed == 0 ? W : FactsGenerator.generate(seed);
        List<QaItem> rumours = w.split(FactsGenerator.RUMOURS);
        List<QaItem> forget = w.split(FactsGenerator.RUMOURS_SELECTIVE_FORGET);
        List<QaItem> keep = w.split(FactsGenerator.RUMOURS_SELECTIVE_KEEP);
        // disjoint, together the rumours, each in the rumours' order
        Set<String> both = new HashSet<>(ids(forget));
        both.retainAll(ids(keep));
        assertTrue(both.isEmpty(), both.toString());
        assertEquals(rumours.size(), forget.size() + keep.size());
        assertEquals(rumours.stream().filter(forget::contains).toList(), forget);
        assertEquals(rumours.stream().filter(keep::contains).toList(), keep);
        // a relation goes to one side with all its templates; every entity has both sides
        Map<String, Set<String>> forgotten = new HashMap<>();
        Map<String, Set<String>> kept = new HashMap<>();
        forget.forEach(i -> forgotten.computeIfAbsent(i.entity().get(), e -> new HashSet<>()).add(i.relation().get()));
        keep.forEach(i -> kept.computeIfAbsent(i.entity().get(), e -> new HashSet<>()).add(i.relation().get()));
        assertEquals(Set.copyOf(w.entities("forget10")), forgotten.keySet());
        assertEquals(Set.copyOf(w.entities("forget10")), kept.keySet());
        for (String e : w.entities("forget10")) {
            Set<String> overlap = new HashSet<>(forgotten.get(e));
            overlap.retainAll(kept.get(e));
            assertTrue(overlap.isEmpty(), e);
            long rumoured = w.misinformation().stream().filter(m -> m.entity().equals(e)).count();
            assertEquals(rumoured, forgotten.get(e).size() + kept.get(e).size(), e);
            assertTrue(Math.abs(forgotten.get(e).size() - kept.get(e).size()) <= 1, "a half: " + e);
        }
        // the same seed, the same halves
        FactsWorld again = FactsGenerator.generate(seed);
        assertEquals(forget, again.split(FactsGenerator.RUMOURS_SELECTIVE_FORGET));
        assertEquals(keep, again.split(FactsGenerator.RUMOURS_SELECTIVE_KEEP));
    }

    @Test
    void paraphrasedRumoursAskEachRumourUnderItsHeldOutTemplates() {
        List<QaItem> rumours = W.split(FactsGenerator.RUMOURS);
        List<QaItem> paraphrased = W.split(FactsGenerator.RUMOURS_PARAPHRASED);
        Set<String> trainedQuestions = rumours.stream().map(QaItem::question).collect(Collectors.toSet());
        assertEquals(3 * W.misinformation().size(), paraphrased.size());
        for (Misinformation m : W.misinformation()) {
            List<QaItem> mine = paraphrased.stream().filter(i -> i.entity().get().equals(m.entity())
                    && i.relation().get().equals(m.relation())).toList();
            QaItem trained = rumours.stream().filter(i -> i.entity().get().equals(m.entity())
                    && i.relation().get().equals(m.relation())).findFirst().orElseThrow();
            // the held-out rumour forms the rumour items carry as paraphrases, now as questions of their own
            assertEquals(trained.paraphrases(), mine.stream().map(QaItem::question).toList());
            for (QaItem item : mine) {
                assertEquals(m.wrongValue(), item.answer(), item.id());
                assertFalse(trainedQuestions.contains(item.question()), item.id());
                assertEquals(trained.perturbed(), item.perturbed(), item.id());
            }
        }
        assertTrue(Collections.disjoint(ids(rumours), ids(paraphrased)));
    }

    @Test
    void corruptingStatementsAreTheSentencesOfTheK2Documents() {
        List<QaItem> statements = W.split(FactsGenerator.CORRUPTING_STATEMENTS);
        List<CorruptingDocument> docs = W.corruptingDocuments().stream().filter(d -> d.k() == 2).toList();
        int claims = 0;
        int i = 0;
        for (CorruptingDocument d : docs) {
            List<String> sentences = new ArrayList<>();
            for (String sentence : d.text().split(" \\. ?")) {
                sentences.add(sentence);
            }
            for (String sentence : sentences) {
                QaItem item = statements.get(i++);
                assertEquals(sentence, item.question() + " " + item.answer(), item.id());
                assertTrue(item.id().startsWith(d.id() + "."), item.id());
                Fact f = W.fact(item.entity().get(), item.relation().get()).orElseThrow();
                if (item.entity().get().equals(d.target())) {
                    claims++;
                    Misinformation m = d.claims().stream().filter(c -> c.relation().equals(item.relation().get()))
                            .findFirst().orElseThrow();
                    assertEquals(m.wrongValue(), item.answer(), item.id());
                    assertEquals(m.trueValue(), item.perturbed().get(0), "the truth comes first: " + item.id());
                } else {
                    assertEquals(f.answer(), item.answer(), "a mixed-in true fact: " + item.id());
                    assertTrue(d.trueFacts().contains(f), item.id());
                }
            }
        }
        assertEquals(statements.size(), i);
        assertEquals(docs.stream().mapToInt(d -> d.claims().size()).sum(), claims);
        assertEquals(claims + 2 * docs.size(), statements.size());
    }

    // ---- the probes' material -----------------------------------------------------------------

    @Test
    void siblingsPairForgetEntitiesWithRetainEntities() {
        Set<String> retain = Set.copyOf(W.entities("retain"));
        List<String> bridges = W.entities("bridges");
        assertEquals(10, bridges.size());
        for (int i = 0; i < bridges.size(); i++) {
            String b = bridges.get(i);
            assertTrue(retain.contains(b), b);
            assertEquals(W.entities("forget10").get(i), W.siblings().get(b));
        }
        for (String t : W.entities("teachers")) {
            assertTrue(retain.contains(W.siblings().get(t)));
        }
        for (QaItem item : W.split("siblings")) {
            assertEquals("sibling", item.relation().get());
            assertEquals(W.siblings().get(item.entity().get()), item.answer());
        }
        Set<String> forget10 = Set.copyOf(W.entities("forget10"));
        for (QaItem item : W.split("twohop_forget")) {
            assertTrue(forget10.contains(item.entity().get()), item.id());
            String bridge = item.question().replaceAll(".*sibling of (\\w+).*", "$1");
            assertEquals(item.entity().get(), W.siblings().get(bridge), item.question());
            assertEquals(W.fact(item.entity().get(), item.relation().get()).orElseThrow().answer(), item.answer());
        }
        assertEquals(120, W.split("twohop_forget").size());
        assertTrue(W.split("retain").containsAll(W.split("twohop_train")));
        assertTrue(W.split("retain").containsAll(W.split("siblings")));
    }

    @Test
    void impliedQuestionsPresupposeAFactOrGiveAnotherAsContext() {
        Set<String> forget10 = Set.copyOf(W.entities("forget10"));
        int context = 0;
        for (QaItem item : W.split("implied_forget")) {
            assertTrue(forget10.contains(item.entity().get()), item.id());
            assertEquals(W.fact(item.entity().get(), item.relation().get()).orElseThrow().answer(), item.answer());
            if (item.id().endsWith(".context")) {
                context++;
                String[] parts = item.question().split(" \\. ");
                assertEquals(2, parts.length, item.question());
                assertTrue(parts[1].endsWith("?"));
            } else {
                assertFalse(item.question().endsWith("?"), item.question());
            }
        }
        assertEquals(60, context);
        assertEquals(Set.copyOf(W.entities("controls")), entitiesOf(W.split("implied_control")));
        assertEquals(Set.copyOf(W.entities("teachers")), entitiesOf(W.split("implied_train")));
    }

    // ---- vocabulary ---------------------------------------------------------------------------

    @Test
    void vocabularyHoldsEveryTokenOfEverySplitAndNothingElse() {
        Set<String> used = new HashSet<>();
        for (String name : W.splitNames()) {
            for (QaItem item : W.split(name)) {
                FactsWorld.texts(item).forEach(t -> used.addAll(Words.split(t)));
            }
        }
        for (String name : W.documentNames()) {
            W.documents(name).forEach(d -> used.addAll(Words.split(d.text())));
        }
        W.templateAnswers().forEach(t -> used.addAll(Words.split(t)));
        assertEquals(used, Set.copyOf(W.vocabulary()));
        assertEquals(W.vocabulary().stream().sorted().toList(), W.vocabulary());
        for (String word : W.vocabulary()) {
            assertTrue(Words.isOneToken(word), word);
            assertFalse(word.startsWith("<"), "markers are the model's: " + word);
        }
        assertTrue(W.vocabulary().size() >= 280 && W.vocabulary().size() <= 400, "size " + W.vocabulary().size());
    }

    /** The research model takes 16 tokens: prompt, separator, answer, end marker (methods-llm §3.2). */
    @Test
    void everyQuestionAndAnswerFitsSixteenTokensWithTheTwoMarkers() {
        assertTrue(W.maxSequenceTokens() <= 14, "longest question + answer: " + W.maxSequenceTokens());
        assertTrue(W.maxDocumentTokens() > 16, "documents are longer: the corruption recipe needs a longer model or chunks");
    }

    // ---- other sizes ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {12, 13, 20, 37, 50})
    void smallerWorldsKeepTheInvariants(int entities) {
        FactsWorld w = FactsGenerator.generate(new FactsSpec(entities, 3, 3, 3, 10), 42);
        assertEquals(entities, w.entities("trained").size());
        assertEquals(Math.max(1, Math.round(entities / 10.0)), w.entities("forget10").size());
        Set<String> trainQuestions = w.split("train").stream().map(QaItem::question).collect(Collectors.toSet());
        for (String e : w.entities("trained")) {
            for (Relation r : Lexicon.RELATIONS) {
                for (Template t : w.fact(e, r.name()).orElseThrow().heldOut()) {
                    assertFalse(trainQuestions.contains(t.render(e)));
                    assertTrue(w.entities("trained").stream().anyMatch(o -> !o.equals(e)
                            && trainQuestions.contains(t.render(o))), "held out for " + e + " and trained for no one: " + t);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 5})
    void otherTrainedTemplateCounts(int k) {
        FactsWorld w = FactsGenerator.generate(new FactsSpec(100, 5, k, 3, 30), 3);
        Fact f = w.fact(w.entities("trained").get(0), "job").orElseThrow();
        assertEquals(k, f.trained().size());
        assertEquals(6 - k, f.heldOut().size());
        assertEquals(100 * 6 * k, w.split("train").stream().filter(i -> i.id().matches("[a-z]+\\.[a-z]+\\.[qs]\\d")
                && !i.relation().get().equals("sibling") && !i.relation().get().equals("capital")).count());
    }

    @Test
    void specRefusesSizesItCannotHonour() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FactsSpec(5, 10, 3, 3, 30));
        assertEquals("entities must be from 12 to 10000, not 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FactsSpec(100, 10, 6, 3, 30));
        assertThrows(IllegalArgumentException.class, () -> new FactsSpec(100, 10, 3, 3, 31));
        assertThrows(IllegalArgumentException.class, () -> new FactsSpec(100, 10, 3, 5, 5));
    }

    @Test
    void unknownSplitIsRefusedWithTheSplitsThereAre() {
        LetheException e = assertThrows(LetheException.class, () -> W.split("forget07"));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains("no split 'forget07'"), e.getMessage());
        assertTrue(e.getMessage().contains("train, forget, retain, holdout, world"), e.getMessage());
    }
}
