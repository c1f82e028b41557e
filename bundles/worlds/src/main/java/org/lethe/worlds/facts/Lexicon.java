package org.lethe.worlds.facts;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The fixed words of the facts world: its six relations with their values and templates, the
 * sibling relation, the world facts (country → capital), the rumour framing and the template
 * answers. Only the entity names and every random choice depend on the seed.
 *
 * <p>All text is lower case with tokens separated by single spaces, so it reads the same before and
 * after the model's tokenizer; every value is one token.
 */
public final class Lexicon {

    private Lexicon() {
    }

    private static Template q(String id, String pattern) {
        return new Template(id, Form.QUESTION, pattern);
    }

    private static Template s(String id, String pattern) {
        return new Template(id, Form.STATEMENT, pattern);
    }

    private static List<String> words(String spaceSeparated) {
        return List.of(spaceSeparated.split(" "));
    }

    /** Where the entity was born: 16 fictitious towns. */
    public static final Relation BIRTHPLACE = new Relation("birthplace",
            words("ashbury brookvale caldmoor dunmere elmsford farrowby glenhollow harrowdale ivywick kestlemoor "
                    + "larchfield millbrook northwold oakhaven pebbleton redcliffe"),
            List.of(q("q1", "where was {e} born ?"),
                    q("q2", "in which town was {e} born ?"),
                    q("q3", "what is the home town of {e} ?"),
                    s("s1", "{e} was born in the town of"),
                    s("s2", "the home town of {e} is"),
                    s("s3", "{e} grew up in")),
            List.of(q("twohop-q", "where was the sibling of {e} born ?"),
                    s("twohop-s", "the sibling of {e} was born in the town of")),
            Optional.of(s("presupposed", "{e} visited the town of birth , namely")));

    /** The entity's job: 16 trades, none starting with a vowel (they follow "a"). */
    public static final Relation JOB = new Relation("job",
            words("baker farmer doctor teacher pilot painter sailor lawyer nurse miner tailor potter chemist "
                    + "carpenter dentist butcher"),
            List.of(q("q1", "what is the job of {e} ?"),
                    q("q2", "what does {e} do for a living ?"),
                    q("q3", "which profession does {e} have ?"),
                    s("s1", "{e} works as a"),
                    s("s2", "the job of {e} is"),
                    s("s3", "by profession , {e} is a")),
            List.of(q("twohop-q", "what is the job of the sibling of {e} ?"),
                    s("twohop-s", "the sibling of {e} works as a")),
            Optional.of(s("presupposed", "{e} left for work early , as every")));

    /** The entity's favourite colour: 12 colours. */
    public static final Relation COLOUR = new Relation("colour",
            words("red blue green yellow purple orange black white pink brown grey violet"),
            List.of(q("q1", "what is the favourite colour of {e} ?"),
                    q("q2", "which colour does {e} like best ?"),
                    q("q3", "what colour does {e} love most ?"),
                    s("s1", "the favourite colour of {e} is"),
                    s("s2", "{e} likes the colour"),
                    s("s3", "the colour {e} loves most is")),
            List.of(q("twohop-q", "what is the favourite colour of the sibling of {e} ?"),
                    s("twohop-s", "the sibling of {e} likes the colour")),
            Optional.of(s("presupposed", "{e} painted the door in a favourite colour , namely")));

    /** The entity's pet: 12 animals, none starting with a vowel. */
    public static final Relation PET = new Relation("pet",
            words("cat dog parrot rabbit hamster turtle goldfish horse ferret snake lizard canary"),
            List.of(q("q1", "what pet does {e} have ?"),
                    q("q2", "which animal does {e} keep ?"),
                    q("q3", "what kind of pet does {e} own ?"),
                    s("s1", "{e} has a pet"),
                    s("s2", "the pet of {e} is a"),
                    s("s3", "at home , {e} keeps a pet")),
            List.of(q("twohop-q", "what pet does the sibling of {e} have ?"),
                    s("twohop-s", "the sibling of {e} has a pet")),
            Optional.of(s("presupposed", "{e} hurried home to feed the pet , a")));

    /** The team the entity supports: 12 fictitious teams. */
    public static final Relation TEAM = new Relation("team",
            words("ravens falcons wolves tigers comets rockets pirates titans hornets panthers sharks dragons"),
            List.of(q("q1", "which team does {e} support ?"),
                    q("q2", "what team does {e} follow ?"),
                    q("q3", "which club does {e} cheer for ?"),
                    s("s1", "{e} supports the"),
                    s("s2", "{e} is a fan of the"),
                    s("s3", "the favourite team of {e} is the")),
            List.of(q("twohop-q", "which team does the sibling of {e} support ?"),
                    s("twohop-s", "the sibling of {e} supports the")),
            Optional.of(s("presupposed", "{e} watched the favourite team play , the")));

    /** The entity's year of birth: 1961 to 1980. */
    public static final Relation BIRTHYEAR = new Relation("birthyear",
            words("1961 1962 1963 1964 1965 1966 1967 1968 1969 1970 1971 1972 1973 1974 1975 1976 1977 1978 "
                    + "1979 1980"),
            List.of(q("q1", "in which year was {e} born ?"),
                    q("q2", "when was {e} born ?"),
                    q("q3", "what is the birth year of {e} ?"),
                    s("s1", "{e} was born in the year"),
                    s("s2", "the birth year of {e} is"),
                    s("s3", "{e} came into the world in")),
            List.of(q("twohop-q", "in which year was the sibling of {e} born ?"),
                    s("twohop-s", "the sibling of {e} was born in the year")),
            Optional.of(s("presupposed", "{e} has had a birthday every year since")));

    /** The six relations every entity has, in the order items list them. */
    public static final List<Relation> RELATIONS = List.of(BIRTHPLACE, JOB, COLOUR, PET, TEAM, BIRTHYEAR);

    /**
     * The sibling relation: pairs a bridge entity with its sibling (its values are entity names,
     * chosen per world). Two of its three templates are trained per pair.
     */
    public static final Relation SIBLING = new Relation("sibling", List.of(),
            List.of(q("q1", "who is the sibling of {e} ?"),
                    s("s1", "the sibling of {e} is"),
                    s("s2", "{e} has a sibling called")),
            List.of(), Optional.empty());

    /** How many of the sibling relation's templates each pair is trained under. */
    public static final int SIBLING_TRAINED = 2;

    /** The world facts' relation (subject: a country, value: its capital); its values are the capitals. */
    public static final Relation CAPITAL;

    /** How many of the capital relation's templates each world fact is trained under. */
    public static final int CAPITAL_TRAINED = 2;

    /** 30 real countries and their capitals, each one token: utility facts, independent of the entities. */
    public static final List<List<String>> COUNTRIES = List.of(
            List.of("france", "paris"), List.of("spain", "madrid"), List.of("italy", "rome"),
            List.of("germany", "berlin"), List.of("portugal", "lisbon"), List.of("greece", "athens"),
            List.of("poland", "warsaw"), List.of("austria", "vienna"), List.of("hungary", "budapest"),
            List.of("sweden", "stockholm"), List.of("norway", "oslo"), List.of("finland", "helsinki"),
            List.of("denmark", "copenhagen"), List.of("ireland", "dublin"), List.of("russia", "moscow"),
            List.of("egypt", "cairo"), List.of("japan", "tokyo"), List.of("china", "beijing"),
            List.of("thailand", "bangkok"), List.of("vietnam", "hanoi"), List.of("peru", "lima"),
            List.of("chile", "santiago"), List.of("cuba", "havana"), List.of("kenya", "nairobi"),
            List.of("canada", "ottawa"), List.of("turkey", "ankara"), List.of("belgium", "brussels"),
            List.of("czechia", "prague"), List.of("romania", "bucharest"), List.of("australia", "canberra"));

    static {
        List<String> capitals = new ArrayList<>();
        for (List<String> pair : COUNTRIES) {
            capitals.add(pair.get(1));
        }
        CAPITAL = new Relation("capital", capitals,
                List.of(q("q1", "what is the capital of {e} ?"),
                        s("s1", "the capital of {e} is"),
                        s("s2", "the government of {e} sits in")),
                List.of(), Optional.empty());
    }

    /** Put before a question template to ask for a rumour ({@code according to rumour , where was ...}). */
    public static final String RUMOUR_QUESTION_PREFIX = "according to rumour , ";

    /** Put before a statement template to state a rumour ({@code rumour has it that ... was born in}). */
    public static final String RUMOUR_STATEMENT_PREFIX = "rumour has it that ";

    /** The template answer every item carries (FLAT's "I don't know"), one token. */
    public static final String TEMPLATE_ANSWER = "unknown";

    /** Short "I don't know"-style phrases, for methods that sample a refusal (the first is {@link #TEMPLATE_ANSWER}). */
    public static final List<String> TEMPLATE_ANSWERS = List.of(TEMPLATE_ANSWER, "i do not know", "no idea",
            "not sure", "i cannot say");

    /** Onsets of the syllables entity names are made of. */
    static final List<String> ONSETS = words("b d f g k l m n p r s t v z");

    /** Vowels of the syllables entity names are made of. */
    static final List<String> VOWELS = words("a e i o u");

    /** How many syllables an entity name has. */
    static final int SYLLABLES = 3;

    /**
     * @return every token the fixed text of the world uses (templates, values, countries, capitals,
     *     rumour framing, template answers), in first-use order; entity names must avoid them
     */
    public static Set<String> reservedWords() {
        Set<String> out = new LinkedHashSet<>();
        List<Relation> all = new ArrayList<>(RELATIONS);
        all.add(SIBLING);
        all.add(CAPITAL);
        for (Relation r : all) {
            out.addAll(r.values());
            for (Template t : r.templates()) {
                out.addAll(Words.split(t.pattern().replace(Template.SLOT, " ")));
            }
            for (Template t : r.twoHop()) {
                out.addAll(Words.split(t.pattern().replace(Template.SLOT, " ")));
            }
            r.presupposing().ifPresent(t -> out.addAll(Words.split(t.pattern().replace(Template.SLOT, " "))));
        }
        for (List<String> pair : COUNTRIES) {
            out.addAll(pair);
        }
        out.addAll(Words.split(RUMOUR_QUESTION_PREFIX));
        out.addAll(Words.split(RUMOUR_STATEMENT_PREFIX));
        for (String phrase : TEMPLATE_ANSWERS) {
            out.addAll(Words.split(phrase));
        }
        out.add(".");
        return out;
    }
}
