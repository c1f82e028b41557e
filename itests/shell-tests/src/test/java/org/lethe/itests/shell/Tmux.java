package org.lethe.itests.shell;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real terminal: a tmux session on a server of its own (its own socket), running one command;
 * keys are typed into it and the screen is read back, as a person would.
 */
final class Tmux implements AutoCloseable {

    private final String socket;
    private final String session = "lethe";

    private Tmux(String socket) {
        this.socket = socket;
    }

    /** @return whether tmux can be run here (CI installs nothing by hand: the test is skipped without it) */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * Starts {@code command} in a new 160×50 terminal.
     *
     * @param folder its working folder
     * @param env its environment
     * @param command the command line, run by {@code sh -c}
     */
    static Tmux start(Path folder, Map<String, String> env, String command) throws IOException, InterruptedException {
        Tmux tmux = new Tmux("lethe-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        StringBuilder line = new StringBuilder("exec env -i");
        env.forEach((k, v) -> line.append(' ').append(k).append('=').append(quote(v)));
        line.append(" TERM=xterm-256color sh -c ").append(quote(command));
        tmux.tmux("new-session", "-d", "-s", tmux.session, "-x", "160", "-y", "50", "-c", folder.toString(), line.toString());
        return tmux;
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("tmux " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** Types text literally (no key names). */
    void type(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-t", session, "-l", "--", text);
    }

    /** Presses keys by tmux name: {@code Enter}, {@code Tab}, {@code C-c}, {@code C-u}. */
    void press(String... keys) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** @return the screen and its scroll-back, as text */
    String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-J", "-t", session, "-S", "-500");
    }

    /** @return whether the session (its command) is still running */
    boolean alive() {
        try {
            tmux("has-session", "-t", session);
            return true;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * Waits until the screen satisfies {@code condition}.
     *
     * @param what what is awaited, for the failure message
     * @param timeout the longest wait
     * @return the screen then
     */
    String await(String what, Duration timeout, Predicate<String> condition) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String screen = "";
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                fail("the terminal's command ended while waiting for " + what + "; last screen:\n" + screen);
            }
            screen = screen();
            if (condition.test(screen)) {
                return screen;
            }
            Thread.sleep(100);
        }
        fail("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; screen:\n" + screen);
        return screen;
    }

    /** Waits for a text on the screen. */
    String await(String text, Duration timeout) throws IOException, InterruptedException {
        return await("'" + text + "'", timeout, s -> s.contains(text));
    }

    @Override
    public void close() {
        try {
            tmux("kill-server");
        } catch (IOException | InterruptedException e) {
            // already gone
        }
    }
}
