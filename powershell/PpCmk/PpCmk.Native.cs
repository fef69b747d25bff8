// The P/Invoke layer of the PpCmk module: marshals requests to the ppcmk C ABI
// and parses its JSON responses. PpCmk.psm1 loads this exact text with
// Add-Type after replacing @@PPCMK_LIBRARY@@ with the native library's
// absolute path; the test suite compiles the same file with Mono and drives
// it against the real library.
//
// Written in C# 5 (no interpolation, no ?. operator), the language Windows
// PowerShell 5.1's Add-Type compiles, and without a reference to
// System.Management.Automation, so that it also builds outside PowerShell.
// Strings cross the boundary as UTF-8 bytes with a trailing NUL, never as
// `string` (which Windows would marshal in the ANSI code page).

using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace PpCmk
{
    /// <summary>An error reported by the engine, with its stable code.</summary>
    public class PpCmkException : Exception
    {
        public string Code { get; private set; }
        public string Category { get; private set; }
        public string Target { get; private set; }

        public PpCmkException(string code, string category, string message, string target)
            : base(message)
        {
            Code = code;
            Category = category;
            Target = target;
        }
    }

    /// <summary>A parsed response of ppcmk_invoke.</summary>
    public sealed class Response
    {
        public bool Ok;
        /// <summary>Output objects, each an OrderedDictionary in property order.</summary>
        public object[] Objects = new object[0];
        public string[] Warnings = new string[0];
        /// <summary>With -FailOn: the level, and how many rows reached it (0 when none).</summary>
        public string GateFailOn;
        public int GateRows;
        public string ErrorCode;
        public string ErrorCategory;
        public string ErrorMessage;
        public string ErrorTarget;
    }

    public static class Native
    {
        private const string Library = "@@PPCMK_LIBRARY@@";

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate void ProgressCallback(IntPtr eventJson, IntPtr userData);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        private static extern IntPtr ppcmk_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        private static extern int ppcmk_open(byte[] home, out IntPtr store, out IntPtr errorJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        private static extern IntPtr ppcmk_invoke_with_progress(IntPtr store, byte[] requestJson, ProgressCallback progress, IntPtr userData);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        private static extern void ppcmk_string_free(IntPtr s);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        private static extern void ppcmk_close(IntPtr store);

        /// <summary>The native library's version.</summary>
        public static string Version()
        {
            return FromUtf8(ppcmk_version());
        }

        /// <summary>Opens the store in <paramref name="home"/> (null: PPCMK_HOME or ~/.ppcmk).</summary>
        public static IntPtr Open(string home)
        {
            IntPtr store;
            IntPtr error;
            int status = ppcmk_open(home == null ? null : ToUtf8(home), out store, out error);
            if (status == 0)
            {
                return store;
            }
            string errorText = TakeString(error);
            if (errorText == null)
            {
                throw new PpCmkException("Internal", "NotSpecified", "ppcmk_open failed with status " + status + ".", home);
            }
            Response r = ParseResponse(errorText);
            throw new PpCmkException(r.ErrorCode, r.ErrorCategory, r.ErrorMessage, r.ErrorTarget);
        }

        public static void Close(IntPtr store)
        {
            if (store != IntPtr.Zero)
            {
                ppcmk_close(store);
            }
        }

        /// <summary>Invokes a command; progress events (JSON text) go to <paramref name="onProgress"/>.</summary>
        public static Response Invoke(IntPtr store, string command, IDictionary parameters, string account, Action<string> onProgress)
        {
            return Invoke(store, command, parameters, account, null, onProgress);
        }

        /// <summary>Invokes a command as <paramref name="account"/> (null: the signed-in one), from the
        /// "private" or "public" <paramref name="network"/> (null: public).</summary>
        public static Response Invoke(IntPtr store, string command, IDictionary parameters, string account, string network, Action<string> onProgress)
        {
            var request = new OrderedDictionary();
            request["command"] = command;
            request["parameters"] = parameters ?? new Hashtable();
            if (!string.IsNullOrEmpty(account))
            {
                request["account"] = account;
            }
            if (!string.IsNullOrEmpty(network))
            {
                request["network"] = network;
            }
            return ParseResponse(InvokeRaw(store, ToJson(request), onProgress));
        }

        /// <summary>Sends a request JSON text and returns the response JSON text.</summary>
        /// <remarks>An exception thrown by <paramref name="onProgress"/> (Write-Progress failing, or
        /// PipelineStoppedException after Ctrl+C) never unwinds through the library's frames: the
        /// library finishes the command and returns, its response is freed, and then the first such
        /// exception is rethrown with its original stack trace, the response text in
        /// <c>Data["PpCmk.Response"]</c>. Progress events after it are not delivered.</remarks>
        public static string InvokeRaw(IntPtr store, string requestJson, Action<string> onProgress)
        {
            ProgressForwarder forwarder = onProgress == null ? null : new ProgressForwarder(onProgress);
            ProgressCallback callback = forwarder == null ? null : new ProgressCallback(forwarder.Forward);
            IntPtr response = ppcmk_invoke_with_progress(store, ToUtf8(requestJson), callback, IntPtr.Zero);
            // The library may call the callback until it returns: keep the delegate from being collected.
            GC.KeepAlive(callback);
            string text = TakeString(response);
            if (forwarder != null)
            {
                forwarder.RethrowFailure(text);
            }
            if (text == null)
            {
                throw new PpCmkException("Internal", "NotSpecified", "ppcmk_invoke returned no response (out of memory).", null);
            }
            return text;
        }

        /// <summary>Calls the managed progress handler from the library's callback, catching what it
        /// throws: an exception must not cross native frames (the library would stop half-way, its
        /// locks, transactions and response abandoned).</summary>
        private sealed class ProgressForwarder
        {
            private readonly Action<string> onProgress;
            private ExceptionDispatchInfo failure;

            public ProgressForwarder(Action<string> onProgress)
            {
                this.onProgress = onProgress;
            }

            public void Forward(IntPtr eventJson, IntPtr userData)
            {
                if (failure != null)
                {
                    return;
                }
                try
                {
                    onProgress(FromUtf8(eventJson));
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
            }

            /// <summary>Rethrows the handler's first exception, if any, keeping its stack trace.</summary>
            public void RethrowFailure(string responseText)
            {
                if (failure == null)
                {
                    return;
                }
                try
                {
                    if (responseText != null && !failure.SourceException.Data.IsReadOnly)
                    {
                        failure.SourceException.Data["PpCmk.Response"] = responseText;
                    }
                }
                catch (ArgumentException)
                {
                    // Data refuses the entry (a custom exception's own dictionary): rethrow without it.
                }
                failure.Throw();
            }
        }

        public static Response ParseResponse(string json)
        {
            var root = ParseJson(json) as IDictionary;
            if (root == null)
            {
                throw new PpCmkException("Internal", "NotSpecified", "The response is not a JSON object.", null);
            }
            var r = new Response();
            r.Ok = true.Equals(root["ok"]);
            if (r.Ok)
            {
                r.Objects = (object[])(root["objects"] ?? new object[0]);
                var warnings = (object[])(root["warnings"] ?? new object[0]);
                r.Warnings = new string[warnings.Length];
                for (int i = 0; i < warnings.Length; i++)
                {
                    r.Warnings[i] = Convert.ToString(warnings[i], CultureInfo.InvariantCulture);
                }
                var gate = root["gate"] as IDictionary;
                if (gate != null)
                {
                    r.GateFailOn = gate["failOn"] as string;
                    r.GateRows = Convert.ToInt32(gate["rows"], CultureInfo.InvariantCulture);
                }
            }
            else
            {
                var error = (IDictionary)root["error"];
                r.ErrorCode = (string)error["code"];
                r.ErrorCategory = (string)error["category"];
                r.ErrorMessage = (string)error["message"];
                r.ErrorTarget = error["target"] as string;
            }
            return r;
        }

        // ------------------------------------------------------------------ UTF-8

        private static byte[] ToUtf8(string s)
        {
            byte[] body = new UTF8Encoding(false, true).GetBytes(s);
            byte[] withNul = new byte[body.Length + 1];
            Buffer.BlockCopy(body, 0, withNul, 0, body.Length);
            return withNul;
        }

        private static string FromUtf8(IntPtr p)
        {
            if (p == IntPtr.Zero)
            {
                return null;
            }
            int length = 0;
            while (Marshal.ReadByte(p, length) != 0)
            {
                length++;
            }
            byte[] bytes = new byte[length];
            Marshal.Copy(p, bytes, 0, length);
            return Encoding.UTF8.GetString(bytes);
        }

        /// <summary>Copies a library-owned string and frees it with the library's own free.</summary>
        private static string TakeString(IntPtr p)
        {
            if (p == IntPtr.Zero)
            {
                return null;
            }
            try
            {
                return FromUtf8(p);
            }
            finally
            {
                ppcmk_string_free(p);
            }
        }

        // ------------------------------------------------------------ JSON writer

        /// <summary>Serialises parameters: strings, numbers, booleans, dates (UTC, ISO 8601),
        /// SecureString (as text), dictionaries, and lists. PowerShell's PSObject wrappers
        /// are unwrapped by reflection, so no reference to PowerShell is needed.</summary>
        public static string ToJson(object value)
        {
            var sb = new StringBuilder();
            WriteJson(sb, value, 0);
            return sb.ToString();
        }

        private static void WriteJson(StringBuilder sb, object value, int depth)
        {
            if (depth > 64)
            {
                throw new ArgumentException("The value is nested more than 64 levels deep.");
            }
            value = Unwrap(value);
            if (value == null)
            {
                sb.Append("null");
            }
            else if (value is string)
            {
                WriteString(sb, (string)value);
            }
            else if (value is bool)
            {
                sb.Append((bool)value ? "true" : "false");
            }
            else if (value is char)
            {
                WriteString(sb, value.ToString());
            }
            else if (value is int || value is long || value is short || value is byte || value is sbyte
                || value is uint || value is ulong || value is ushort)
            {
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
            }
            else if (value is double || value is float || value is decimal)
            {
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(d) || double.IsInfinity(d))
                {
                    throw new ArgumentException("NaN and infinity cannot be sent.");
                }
                sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
            }
            else if (value is DateTime)
            {
                var t = (DateTime)value;
                // Az treats times without a zone as UTC (-Expires, -NotBefore).
                t = t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime();
                WriteString(sb, t.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            }
            else if (value is DateTimeOffset)
            {
                WriteString(sb, ((DateTimeOffset)value).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            }
            else if (value is Guid || value is Enum || value is TimeSpan || value is Uri)
            {
                WriteString(sb, Convert.ToString(value, CultureInfo.InvariantCulture));
            }
            else if (value is SecureString)
            {
                WriteString(sb, SecureToString((SecureString)value));
            }
            else if (value is IDictionary)
            {
                sb.Append('{');
                bool first = true;
                foreach (DictionaryEntry e in (IDictionary)value)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    WriteString(sb, Convert.ToString(Unwrap(e.Key), CultureInfo.InvariantCulture));
                    sb.Append(':');
                    WriteJson(sb, e.Value, depth + 1);
                }
                sb.Append('}');
            }
            else if (value is IEnumerable)
            {
                sb.Append('[');
                bool first = true;
                foreach (object item in (IEnumerable)value)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    WriteJson(sb, item, depth + 1);
                }
                sb.Append(']');
            }
            else
            {
                WriteString(sb, Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }

        /// <summary>PowerShell wraps values in PSObject; take the base object, and treat
        /// [switch] (SwitchParameter) as its boolean.</summary>
        private static object Unwrap(object value)
        {
            for (int i = 0; i < 8 && value != null; i++)
            {
                Type type = value.GetType();
                if (type.FullName == "System.Management.Automation.PSObject")
                {
                    object inner = type.GetProperty("BaseObject").GetValue(value, null);
                    if (inner == null || inner.GetType().FullName == "System.Management.Automation.PSCustomObject")
                    {
                        return value.ToString();
                    }
                    value = inner;
                }
                else if (type.FullName == "System.Management.Automation.SwitchParameter")
                {
                    return type.GetProperty("IsPresent").GetValue(value, null);
                }
                else
                {
                    return value;
                }
            }
            return value;
        }

        private static string SecureToString(SecureString s)
        {
            IntPtr p = Marshal.SecureStringToGlobalAllocUnicode(s);
            try
            {
                return Marshal.PtrToStringUni(p);
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(p);
            }
        }

        private static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        if (c < 0x20)
                        {
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }
                        break;
                }
            }
            sb.Append('"');
        }

        // ------------------------------------------------------------ JSON reader

        /// <summary>Parses JSON: objects become OrderedDictionary (property order kept), arrays
        /// object[], integers long, other numbers double, and strings in the engine's UTC
        /// time form (2026-11-23T10:00:00Z) DateTime, as PowerShell 7's ConvertFrom-Json does.
        /// Works the same on Windows PowerShell 5.1, whose ConvertFrom-Json limits sizes.</summary>
        public static object ParseJson(string json)
        {
            int pos = 0;
            object value = ParseValue(json, ref pos, 0);
            SkipSpace(json, ref pos);
            if (pos != json.Length)
            {
                throw new FormatException("Unexpected text after the JSON value at offset " + pos + ".");
            }
            return value;
        }

        private static void SkipSpace(string s, ref int pos)
        {
            while (pos < s.Length && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
            {
                pos++;
            }
        }

        private static object ParseValue(string s, ref int pos, int depth)
        {
            if (depth > 128)
            {
                throw new FormatException("JSON nested too deeply.");
            }
            SkipSpace(s, ref pos);
            if (pos >= s.Length)
            {
                throw new FormatException("Unexpected end of JSON.");
            }
            char c = s[pos];
            if (c == '{')
            {
                pos++;
                var map = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
                SkipSpace(s, ref pos);
                if (pos < s.Length && s[pos] == '}')
                {
                    pos++;
                    return map;
                }
                while (true)
                {
                    SkipSpace(s, ref pos);
                    string key = ParseString(s, ref pos);
                    SkipSpace(s, ref pos);
                    Expect(s, ref pos, ':');
                    map[key] = ParseValue(s, ref pos, depth + 1);
                    SkipSpace(s, ref pos);
                    if (pos < s.Length && s[pos] == ',')
                    {
                        pos++;
                        continue;
                    }
                    Expect(s, ref pos, '}');
                    return map;
                }
            }
            if (c == '[')
            {
                pos++;
                var items = new List<object>();
                SkipSpace(s, ref pos);
                if (pos < s.Length && s[pos] == ']')
                {
                    pos++;
                    return items.ToArray();
                }
                while (true)
                {
                    items.Add(ParseValue(s, ref pos, depth + 1));
                    SkipSpace(s, ref pos);
                    if (pos < s.Length && s[pos] == ',')
                    {
                        pos++;
                        continue;
                    }
                    Expect(s, ref pos, ']');
                    return items.ToArray();
                }
            }
            if (c == '"')
            {
                string text = ParseString(s, ref pos);
                DateTime time;
                if (text.Length >= 20 && text[4] == '-' && text[10] == 'T' && text[text.Length - 1] == 'Z'
                    && DateTime.TryParseExact(text, new[] { "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'" },
                        CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out time))
                {
                    return time;
                }
                return text;
            }
            if (Literal(s, ref pos, "true"))
            {
                return true;
            }
            if (Literal(s, ref pos, "false"))
            {
                return false;
            }
            if (Literal(s, ref pos, "null"))
            {
                return null;
            }
            int start = pos;
            while (pos < s.Length && "+-0123456789.eE".IndexOf(s[pos]) >= 0)
            {
                pos++;
            }
            string number = s.Substring(start, pos - start);
            long integer;
            if (long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out integer))
            {
                return integer;
            }
            double real;
            if (number.Length > 0 && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out real))
            {
                return real;
            }
            throw new FormatException("Invalid JSON value at offset " + start + ".");
        }

        private static bool Literal(string s, ref int pos, string word)
        {
            if (string.CompareOrdinal(s, pos, word, 0, word.Length) == 0)
            {
                pos += word.Length;
                return true;
            }
            return false;
        }

        private static void Expect(string s, ref int pos, char c)
        {
            if (pos >= s.Length || s[pos] != c)
            {
                throw new FormatException("Expected '" + c + "' at offset " + pos + ".");
            }
            pos++;
        }

        private static string ParseString(string s, ref int pos)
        {
            Expect(s, ref pos, '"');
            var sb = new StringBuilder();
            while (true)
            {
                if (pos >= s.Length)
                {
                    throw new FormatException("Unterminated JSON string.");
                }
                char c = s[pos++];
                if (c == '"')
                {
                    return sb.ToString();
                }
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }
                if (pos >= s.Length)
                {
                    throw new FormatException("Unterminated escape in JSON string.");
                }
                char e = s[pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (pos + 4 > s.Length)
                        {
                            throw new FormatException("Short \\u escape in JSON string.");
                        }
                        sb.Append((char)int.Parse(s.Substring(pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        pos += 4;
                        break;
                    default:
                        throw new FormatException("Invalid escape \\" + e + " in JSON string.");
                }
            }
        }
    }
}
