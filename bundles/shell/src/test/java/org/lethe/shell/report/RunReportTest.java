package org.lethe.shell.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunState;
import org.lethe.shell.testing.Records;

class RunReportTest {

    static final RunRecord COMMITTED = Records.record(RunState.COMMITTED, 200, 200, 3.5, 0, 1);

    private static String render(RunRecord record, RunReport.Format format) {
        return new RunReport(record, Optional.empty(), List.of(), Records.T0.plusSeconds(60)).render(format);
    }

    @Test
    void jsonHasTheRunItsInputsAndItsOutcome() throws Exception {
        JsonNode json = new ObjectMapper().readTree(render(COMMITTED, RunReport.Format.JSON));
        assertEquals("lethe.run-report/1", json.get("format").asText());
        assertEquals(Records.KEY.value(), json.get("run").asText());
        assertEquals("ascent", json.get("component").asText());
        assertEquals("tiny:1", json.get("model").asText());
        assertEquals("tiny:2", json.get("result").asText());
        assertEquals("committed", json.get("state").asText());
        assertEquals(7, json.get("seed").asLong());
        assertEquals("200", json.get("settings").get("steps").asText());
        assertEquals("ab".repeat(32), json.get("data").get("forget").get("sha256").asText());
        assertEquals(3.5, json.get("progress").get("loss").asDouble());
        assertTrue(json.get("note").asText().contains("evaluation item"));
    }

    @Test
    void markdownCsvAndHtmlCarryTheSameFacts() {
        String md = render(COMMITTED, RunReport.Format.MD);
        assertTrue(md.startsWith("# Run 3fa9c1d2e4f5: ascent on tiny:1\n"), md);
        assertTrue(md.contains("| result | tiny:2 |"), md);
        assertTrue(md.contains("| steps | 200 |"), md);
        String[] csv = render(COMMITTED, RunReport.Format.CSV).split("\n");
        assertEquals(2, csv.length);
        assertTrue(csv[0].startsWith("run,kind,method,"), csv[0]);
        assertTrue(csv[1].contains(",tiny:2,"), csv[1]);
        String html = render(COMMITTED, RunReport.Format.HTML);
        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertTrue(html.contains("<td class=\"committed\">committed</td>"), html);
        assertFalse(html.contains("<script"), html);
    }

    @Test
    void cellsAreEscapedForEachFormat() {
        assertEquals("a\\|b", RunReport.md("a|b"));
        assertEquals("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", RunReport.html("<script>alert('x')</script>"));
        assertEquals("\"a,b\"", RunReport.csvCell("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", RunReport.csvCell("say \"hi\""));
        assertEquals("'=HYPERLINK(1)", RunReport.csvCell("=HYPERLINK(1)"), "no formula injection");
        assertEquals("-1.5", RunReport.csvCell("-1.5"), "a negative number stays a number");
    }
}
