package org.flows4j.io;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader and writer for file headers (the core module has no dependencies).
 * Values are {@code Map<String, Object>} (insertion-ordered; duplicate keys rejected),
 * {@code List<Object>}, {@code String}, {@code BigDecimal}, {@code Boolean} and {@code null}.
 * Nesting is limited so hostile input cannot exhaust the stack.
 */
public final class Json {
    private static final int MAX_DEPTH = 64;
    /** Most values one document may hold, so a hostile 100 MB header cannot take gigabytes of objects. */
    private static final int MAX_VALUES = 2_000_000;

    private final String s;
    private int pos;
    private int values;

    private Json(String s) {
        this.s = s;
    }

    /** Thrown for text that is not valid JSON; the message gives the position. */
    public static final class SyntaxException extends Exception {
        SyntaxException(String message) {
            super(message);
        }
    }

    /** Parses one JSON value; only whitespace may follow it. */
    public static Object parse(String text) throws SyntaxException {
        Json p = new Json(text);
        p.skipWs();
        Object v = p.value(0);
        p.skipWs();
        if (p.pos != text.length()) {
            throw p.error("unexpected content after the JSON value");
        }
        return v;
    }

    private SyntaxException error(String what) {
        return new SyntaxException(what + " at character " + pos);
    }

    private void skipWs() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() throws SyntaxException {
        if (pos >= s.length()) {
            throw error("unexpected end of JSON");
        }
        return s.charAt(pos);
    }

    private void expect(char c) throws SyntaxException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private Object value(int depth) throws SyntaxException {
        if (depth > MAX_DEPTH) {
            throw error("JSON nested deeper than " + MAX_DEPTH + " levels");
        }
        if (++values > MAX_VALUES) {
            throw error("more than " + MAX_VALUES + " JSON values");
        }
        char c = peek();
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + printable(c) + "'");
        }
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }

    private Object literal(String word, Object v) throws SyntaxException {
        if (!s.startsWith(word, pos)) {
            throw error("unexpected token");
        }
        pos += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) throws SyntaxException {
        expect('{');
        Map<String, Object> m = new LinkedHashMap<>();
        skipWs();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipWs();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            String key = string();
            skipWs();
            expect(':');
            skipWs();
            Object v = value(depth + 1);
            if (m.containsKey(key)) {
                throw error("duplicate key \"" + key + "\"");
            }
            m.put(key, v);
            skipWs();
            char c = peek();
            pos++;
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws SyntaxException {
        expect('[');
        List<Object> list = new ArrayList<>();
        skipWs();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWs();
            list.add(value(depth + 1));
            skipWs();
            char c = peek();
            pos++;
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() throws SyntaxException {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = peek();
            pos++;
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                pos--;
                throw error("control character in string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = peek();
            pos++;
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw error("unexpected end of JSON in \\u escape");
                    }
                    int cp = 0;
                    for (int i = 0; i < 4; i++) {
                        int h = Character.digit(s.charAt(pos + i), 16);
                        if (h < 0) {
                            throw error("bad \\u escape");
                        }
                        cp = cp * 16 + h;
                    }
                    pos += 4;
                    sb.append((char) cp);
                }
                default -> {
                    pos--;
                    throw error("bad escape '\\" + printable(e) + "'");
                }
            }
        }
    }

    private BigDecimal number() throws SyntaxException {
        int start = pos;
        if (s.charAt(pos) == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else {
            digits();
        }
        if (pos < s.length() && s.charAt(pos) == '.') {
            pos++;
            digits();
        }
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            pos++;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                pos++;
            }
            digits();
        }
        if (pos - start > 100) {
            throw error("number too long");
        }
        try {
            return new BigDecimal(s.substring(start, pos));
        } catch (NumberFormatException | ArithmeticException e) {
            throw error("bad number");
        }
    }

    private void digits() throws SyntaxException {
        int start = pos;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        if (pos == start) {
            throw error("expected a digit");
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Compact JSON for maps, lists, strings, numbers ({@code Number}; doubles must be finite and are
     * written in Java's shortest round-trip form), booleans and null; int and double arrays too.
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String str) {
            quote(sb, str);
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("JSON cannot hold " + d);
            }
            sb.append(d);
        } else if (v instanceof Number n) {
            sb.append(n);
        } else if (v instanceof int[] a) {
            List<Object> l = new ArrayList<>();
            for (int x : a) {
                l.add(x);
            }
            write(sb, l);
        } else if (v instanceof double[] a) {
            List<Object> l = new ArrayList<>();
            for (double x : a) {
                l.add(x);
            }
            write(sb, l);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(sb, l.get(i));
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getSimpleName() + " as JSON");
        }
    }

    private static void quote(StringBuilder sb, String str) {
        sb.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** An unmodifiable view, for returning parsed maps. */
    static Map<String, String> frozen(Map<String, String> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
