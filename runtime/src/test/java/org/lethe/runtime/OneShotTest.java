package org.lethe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.lethe.runtime.other.Exceptions;

class OneShotTest {

    // ---- commandLine ----

    @Test
    void oneArgumentIsTakenVerbatimAsAGogoCommandLine() {
        for (String line : List.of("lb", "lb | grep lethe", "services (lethe.method=fixture)",
                "echo 'it''s' \"q\" $x {y} ;", "", "  padded  ")) {
            assertEquals(line, OneShot.commandLine(List.of(line)));
        }
    }

    @Test
    void severalPlainArgumentsAreJoinedWithSpaces() {
        assertEquals("unlearn:run flat --set lr=1e-5 --seeds 1,2,3 -v ./data/x.json",
                OneShot.commandLine(List.of("unlearn:run", "flat", "--set", "lr=1e-5", "--seeds", "1,2,3", "-v",
                        "./data/x.json")));
    }

    @Test
    void anArgumentWithWhitespaceIsQuotedSoItStaysOne() {
        assertEquals("unlearn:run x --set 'name=a b'",
                OneShot.commandLine(List.of("unlearn:run", "x", "--set", "name=a b")));
        assertEquals("echo 'tab\there' 'new\nline'", OneShot.commandLine(List.of("echo", "tab\there", "new\nline")));
    }

    @Test
    void quotesAndBackslashesAreEscapedTheWayGogoReadsThem() {
        // Gogo's single quotes still honour a backslash escape and cannot hold an escaped quote:
        // a backslash is doubled, a quote is closed, escaped and reopened ('\'').
        assertEquals("echo 'it'\\''s'", OneShot.commandLine(List.of("echo", "it's")));
        assertEquals("echo 'say \"hi\"'", OneShot.commandLine(List.of("echo", "say \"hi\"")));
        assertEquals("echo 'C:\\\\dir\\\\x'", OneShot.commandLine(List.of("echo", "C:\\dir\\x")));
        assertEquals("echo 'a\\\\'", OneShot.commandLine(List.of("echo", "a\\")));
    }

    @Test
    void argumentsWithGogoSyntaxAreQuotedSoTheyStayLiteral() {
        for (String arg : List.of("$x", "a;b", "(lethe.method=x)", "{y}", "a*b", "a?b", "[0]", "a|b", "a&b",
                "<in", ">out", "#c", "%z", "~")) {
            assertEquals("echo '" + arg + "'", OneShot.commandLine(List.of("echo", arg)), arg);
        }
    }

    @Test
    void anEmptyArgumentAmongSeveralStaysAnArgument() {
        assertEquals("echo '' x", OneShot.commandLine(List.of("echo", "", "x")));
    }

    // ---- statusOf ----

    /** Named like Gogo's own: only the simple name is compared, the class lives in the Gogo bundle. */
    static final class CommandNotFoundException extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /** Named like Gogo's parser error. */
    static final class SyntaxError extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /** Follows Lethe's convention: a public int exitStatus(). */
    public static final class WithStatus extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        WithStatus(int status) {
            this.status = status;
        }

        public int exitStatus() {
            return status;
        }
    }

    /** An exitStatus() of another type is not the convention. */
    public static final class WrongType extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public String exitStatus() {
            return "3";
        }
    }

    @Test
    void commandNotFoundIsAUsageError() {
        assertEquals(ExitStatus.USAGE, OneShot.statusOf(new CommandNotFoundException()));
        assertEquals(ExitStatus.USAGE, OneShot.statusOf(new SyntaxError()));
    }

    @Test
    void anExceptionWithAnExitStatusGivesThatStatus() {
        assertEquals(3, OneShot.statusOf(new WithStatus(3)));
        assertEquals(4, OneShot.statusOf(new WithStatus(4)));
        assertEquals(0, OneShot.statusOf(new WithStatus(0)));
        assertEquals(ExitStatus.INVALID_INPUT,
                OneShot.statusOf(new LauncherException(ExitStatus.INVALID_INPUT, "no such model")));
        // the status wins over the exception's type
        assertEquals(4, OneShot.statusOf(new Exceptions.PublicIllegalArgument(4)));
    }

    @Test
    void anExitStatusOnANonPublicClassOfAnotherPackageStillCounts() {
        // a command bundle's exception need not be a public class for its status to be honoured
        assertEquals(3, OneShot.statusOf(Exceptions.hidden(3)));
    }

    @Test
    void anExitStatusMethodOfAnotherTypeIsIgnored() {
        assertEquals(ExitStatus.FAILED, OneShot.statusOf(new WrongType()));
    }

    @Test
    void gogosCannotCoerceIsAUsageErrorOtherIllegalArgumentsAreInvalidInput() {
        assertEquals(ExitStatus.USAGE, OneShot.statusOf(
                new IllegalArgumentException("Cannot coerce headers(Token) to any of [(Bundle[])]")));
        assertEquals(ExitStatus.INVALID_INPUT, OneShot.statusOf(new IllegalArgumentException("no model 'x'")));
        assertEquals(ExitStatus.INVALID_INPUT, OneShot.statusOf(new IllegalArgumentException()));
        assertEquals(ExitStatus.INVALID_INPUT, OneShot.statusOf(new NumberFormatException("For input string: \"abc\"")));
    }

    @Test
    void interruptionAndCancellationAreCancelled() {
        assertEquals(ExitStatus.CANCELLED, OneShot.statusOf(new InterruptedException()));
        assertEquals(ExitStatus.CANCELLED, OneShot.statusOf(new CancellationException()));
    }

    @Test
    void anythingElseIsAFailedRun() {
        assertEquals(ExitStatus.FAILED, OneShot.statusOf(new IllegalStateException("diverged")));
        assertEquals(ExitStatus.FAILED, OneShot.statusOf(new Exception()));
        assertEquals(ExitStatus.FAILED, OneShot.statusOf(new StackOverflowError()));
    }

    @Test
    void reflectiveWrappersAreTakenOffToFindTheCommandsOwnException() {
        IllegalArgumentException cause = new IllegalArgumentException("bad");
        assertSame(cause, OneShot.unwrapped(new InvocationTargetException(new InvocationTargetException(cause))));
        assertSame(cause, OneShot.unwrapped(new UndeclaredThrowableException(cause)));
        assertSame(cause, OneShot.unwrapped(cause));
        InvocationTargetException empty = new InvocationTargetException(null);
        assertSame(empty, OneShot.unwrapped(empty));
    }
}
