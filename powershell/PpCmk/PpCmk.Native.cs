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
using System.Reflection;
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

    /// <summary>What the JSON reader makes of a JSON object: an OrderedDictionary in property
    /// order by default; the PowerShell host makes output objects PSObjects directly.</summary>
    public class JsonObjectBuilder
    {
        public static readonly JsonObjectBuilder Dictionaries = new JsonObjectBuilder();

        /// <summary>A new, empty object at <paramref name="depth"/> (0: the document itself).</summary>
        public virtual object NewObject(int depth)
        {
            return new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        }

        public virtual void Add(object target, string key, object value)
        {
            ((OrderedDictionary)target)[key] = value;
        }
    }

    /// <summary>A parsed response of ppcmk_invoke.</summary>
    public sealed class Response
    {
        public bool Ok;
        /// <summary>Output objects, each an OrderedDictionary in property order.</summary>
        public object[] Objects = new object[0];
        public string[] Warnings = new string[0];
        /// <summary>What the engine did, for -Verbose (absent from older libraries).</summary>
        public string[] Verbose = new string[0];
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
#if PPCMK_PREBUILT
        // The prebuilt assembly (bin/PpCmk.Native.dll, built by scripts/build-module) cannot
        // carry the library's path in its imports: UseLibrary tells it before the first call.
        private const string Library = "ppcmk";
        private static readonly object LibraryGate = new object();
        private static string libraryPath;
#else
        private const string Library = "@@PPCMK_LIBRARY@@";
#endif

        /// <summary>Points the imports at the native library at <paramref name="path"/>: needed by the
        /// prebuilt assembly, a no-op in the Add-Type build (its imports name the path).</summary>
        public static void UseLibrary(string path)
        {
#if PPCMK_PREBUILT
            lock (LibraryGate)
            {
                if (libraryPath != null)
                {
                    return;
                }
                Type nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");
                if (nativeLibrary != null)
                {
                    // .NET Core 3 and later (PowerShell 7): a resolver for this assembly's imports.
                    MethodInfo set = nativeLibrary.GetMethod("SetDllImportResolver");
                    Type resolverType = set.GetParameters()[1].ParameterType;
                    MethodInfo resolve = typeof(Native).GetMethod("Resolve", BindingFlags.NonPublic | BindingFlags.Static);
                    set.Invoke(null, new object[] { typeof(Native).Assembly, Delegate.CreateDelegate(resolverType, resolve) });
                }
                else if (LoadLibraryW(path) == IntPtr.Zero)
                {
                    // .NET Framework (Windows PowerShell 5.1): a module loaded by its full path
                    // first satisfies DllImport("ppcmk").
                    throw new PpCmkException("Internal", "ResourceUnavailable", "The native library " + path + " could not be loaded.", path);
                }
                libraryPath = path;
            }
#endif
        }

#if PPCMK_PREBUILT
        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (name != Library)
            {
                return IntPtr.Zero;
            }
            MethodInfo load = Type.GetType("System.Runtime.InteropServices.NativeLibrary").GetMethod("Load", new[] { typeof(string) });
            return (IntPtr)load.Invoke(null, new object[] { libraryPath });
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryW(string path);
#endif

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
            return ParseResponse(json, JsonObjectBuilder.Dictionaries);
        }

        /// <summary>Parses a response; the output objects (depth 2 and below) are made by
        /// <paramref name="builder"/>, the envelope stays dictionaries.</summary>
        public static Response ParseResponse(string json, JsonObjectBuilder builder)
        {
            var root = ParseJson(json, builder) as IDictionary;
            if (root == null)
            {
                throw new PpCmkException("Internal", "NotSpecified", "The response is not a JSON object.", null);
            }
            var r = new Response();
            r.Ok = true.Equals(root["ok"]);
            if (r.Ok)
            {
                r.Objects = (object[])(root["objects"] ?? new object[0]);
                r.Warnings = Strings(root["warnings"] as object[]);
                r.Verbose = Strings(root["verbose"] as object[]);
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

        private static string[] Strings(object[] items)
        {
            if (items == null)
            {
                return new string[0];
            }
            var strings = new string[items.Length];
            for (int i = 0; i < items.Length; i++)
            {
                strings[i] = Convert.ToString(items[i], CultureInfo.InvariantCulture);
            }
            return strings;
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
            return ParseJson(json, JsonObjectBuilder.Dictionaries);
        }

        public static object ParseJson(string json, JsonObjectBuilder builder)
        {
            int pos = 0;
            object value = ParseValue(json, ref pos, 0, builder);
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

        private static object ParseValue(string s, ref int pos, int depth, JsonObjectBuilder builder)
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
                object map = builder.NewObject(depth);
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
                    builder.Add(map, key, ParseValue(s, ref pos, depth + 1, builder));
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
                    items.Add(ParseValue(s, ref pos, depth + 1, builder));
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
                if (text.Length >= 20 && text[4] == '-' && text[10] == 'T' && text[text.Length - 1] == 'Z' && TryParseUtc(text, out time))
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

        /// <summary>The engine's UTC times, yyyy-MM-ddTHH:mm:ss[.f…]Z, read by hand (the reader
        /// meets hundreds of thousands of them in a large listing); anything else is text.</summary>
        private static bool TryParseUtc(string t, out DateTime time)
        {
            time = default(DateTime);
            int year, month, day, hour, minute, second;
            if (!Digits(t, 0, 4, out year) || t[4] != '-' || !Digits(t, 5, 2, out month) || t[7] != '-'
                || !Digits(t, 8, 2, out day) || !Digits(t, 11, 2, out hour) || t[13] != ':'
                || !Digits(t, 14, 2, out minute) || t[16] != ':' || !Digits(t, 17, 2, out second))
            {
                return false;
            }
            long ticks = 0;
            int end = t.Length - 1;
            if (end > 19)
            {
                // A fraction of up to 7 digits (100 ns ticks).
                if (t[19] != '.' || end - 20 < 1 || end - 20 > 7)
                {
                    return false;
                }
                int fraction;
                if (!Digits(t, 20, end - 20, out fraction))
                {
                    return false;
                }
                ticks = fraction;
                for (int i = end - 20; i < 7; i++)
                {
                    ticks *= 10;
                }
            }
            if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
                || hour > 23 || minute > 59 || second > 59)
            {
                return false;
            }
            time = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(ticks);
            return true;
        }

        private static bool Digits(string t, int start, int count, out int value)
        {
            value = 0;
            for (int i = start; i < start + count; i++)
            {
                char c = t[i];
                if (c < '0' || c > '9')
                {
                    return false;
                }
                value = value * 10 + (c - '0');
            }
            return true;
        }

        private static string ParseString(string s, ref int pos)
        {
            Expect(s, ref pos, '"');
            // Most strings have no escape: one Substring, no builder.
            int close = pos;
            while (close < s.Length && s[close] != '"' && s[close] != '\\')
            {
                close++;
            }
            if (close < s.Length && s[close] == '"')
            {
                string plain = s.Substring(pos, close - pos);
                pos = close + 1;
                return plain;
            }
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

#if !PPCMK_NATIVE_ONLY
// The PowerShell side of the module: what each generated function calls. It
// needs System.Management.Automation, which Add-Type and the prebuilt build
// reference; the Mono harness compiles the file with PPCMK_NATIVE_ONLY.
// Compiled code rather than script, because a command's fixed cost and the
// conversion of large outputs into objects are what PowerShell users feel.
namespace PpCmk
{
    using System.Management.Automation;

    /// <summary>Lets a [byte[]] parameter take base64 text as well, as the CLI does
    /// (<c>-ByteArrayValue AAECAw==</c>).</summary>
    public sealed class Base64BytesAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var wrapped = inputData as PSObject;
            var text = (wrapped == null ? inputData : wrapped.BaseObject) as string;
            if (text == null)
            {
                return inputData;
            }
            try
            {
                return Convert.FromBase64String(text);
            }
            catch (FormatException e)
            {
                throw new ArgumentTransformationMetadataException("The value is neither bytes nor base64 text: " + e.Message, e);
            }
        }
    }

    /// <summary>Runs a command for a generated function: binds its parameters, invokes the
    /// engine, and writes objects, warnings, progress, verbose lines and errors through the
    /// function's own <see cref="PSCmdlet"/>.</summary>
    public static class Host
    {
        private const int ProgressId = 4711;
        private static readonly object StoresGate = new object();
        private static readonly Dictionary<string, IntPtr> Stores = new Dictionary<string, IntPtr>(StringComparer.Ordinal);
        private static HashSet<string> usageCodes = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>Error codes of malformed calls: raised as terminating errors, as parameter
        /// binding errors are (set once at import from the generated list).</summary>
        public static void SetUsageErrorCodes(string[] codes)
        {
            usageCodes = new HashSet<string>(codes, StringComparer.Ordinal);
        }

        /// <summary>The open store handle for $env:PPCMK_HOME (resolved against PowerShell's
        /// location), opened on first use. Handles are thread-safe and shared by every
        /// runspace of the process; they stay open until it ends.</summary>
        public static IntPtr Store(PSCmdlet cmdlet)
        {
            string home = Environment.GetEnvironmentVariable("PPCMK_HOME");
            string resolved = string.IsNullOrEmpty(home) ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(home);
            string key = resolved ?? "";
            lock (StoresGate)
            {
                IntPtr handle;
                if (!Stores.TryGetValue(key, out handle))
                {
                    handle = Native.Open(resolved);
                    Stores[key] = handle;
                }
                return handle;
            }
        }

        /// <summary>Runs <paramref name="command"/> with the function's bound parameters that the
        /// engine knows (<paramref name="names"/>); <paramref name="paths"/> are resolved against
        /// PowerShell's location first. <paramref name="yields"/> ("Switch=Property" or null): when
        /// that switch is set, each object's property is written instead of the object.</summary>
        public static void Run(PSCmdlet cmdlet, string command, IDictionary bound, string[] names, string[] paths, string typeName, string yields)
        {
            IntPtr store;
            try
            {
                store = Store(cmdlet);
            }
            catch (PpCmkException e)
            {
                cmdlet.ThrowTerminatingError(Record(e.Code, e.Category, e.Message, e.Target, command));
                return;
            }
            OrderedDictionary parameters = Parameters(cmdlet, bound, names, paths);
            var request = new OrderedDictionary();
            request["command"] = command;
            request["parameters"] = parameters;
            // Read through .NET, which sees $env: changes (the native environment may not).
            string account = Environment.GetEnvironmentVariable("PPCMK_ACCOUNT");
            string network = Environment.GetEnvironmentVariable("PPCMK_NETWORK");
            if (!string.IsNullOrEmpty(account))
            {
                request["account"] = account;
            }
            if (!string.IsNullOrEmpty(network))
            {
                request["network"] = network;
            }
            cmdlet.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "ppcmk: {0} {1}", command, Describe(parameters)));
            var progress = new ProgressWriter(cmdlet, command);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            string text;
            try
            {
                text = Native.InvokeRaw(store, Native.ToJson(request), progress.Write);
            }
            finally
            {
                progress.Complete();
            }
            Response response = Native.ParseResponse(text, PSObjectBuilder.Instance);
            clock.Stop();
            foreach (string warning in response.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }
            foreach (string line in response.Verbose)
            {
                cmdlet.WriteVerbose(line);
            }
            if (!response.Ok)
            {
                cmdlet.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "ppcmk: {0} failed with {1} after {2} ms.", command, response.ErrorCode, clock.ElapsedMilliseconds));
                ErrorRecord record = Record(response.ErrorCode, response.ErrorCategory, response.ErrorMessage, response.ErrorTarget, command);
                if (usageCodes.Contains(response.ErrorCode))
                {
                    cmdlet.ThrowTerminatingError(record);
                }
                cmdlet.WriteError(record);
                return;
            }
            cmdlet.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "ppcmk: {0} returned {1} object(s) in {2} ms.", command, response.Objects.Length, clock.ElapsedMilliseconds));
            string yieldSwitch = null;
            string yieldProperty = null;
            if (!string.IsNullOrEmpty(yields) && yields.IndexOf('=') > 0)
            {
                int equals = yields.IndexOf('=');
                object set = bound.Contains(yields.Substring(0, equals)) ? bound[yields.Substring(0, equals)] : null;
                if (set != null && true.Equals(Unwrap(set)))
                {
                    yieldSwitch = yields.Substring(0, equals);
                    yieldProperty = yields.Substring(equals + 1);
                }
            }
            foreach (object item in response.Objects)
            {
                var result = item as PSObject;
                if (yieldSwitch != null)
                {
                    PSPropertyInfo property = result == null ? null : result.Properties[yieldProperty];
                    cmdlet.WriteObject(property == null ? null : property.Value);
                    continue;
                }
                if (result != null && !string.IsNullOrEmpty(typeName))
                {
                    result.TypeNames.Insert(0, typeName);
                }
                cmdlet.WriteObject(result);
            }
            // -FailOn: the rows are all written; the gate is an error after them, so a
            // pipeline stops on it with -ErrorAction Stop (or checks $?).
            if (response.GateRows > 0)
            {
                string message = string.Format(CultureInfo.InvariantCulture, "{0} row(s) reached {1} or worse (-FailOn {1}).", response.GateRows, response.GateFailOn);
                cmdlet.WriteError(Record("ChecksFailed", "InvalidResult", message, command, command));
            }
        }

        /// <summary>An ErrorRecord whose FullyQualifiedErrorId starts with the engine's code
        /// (PowerShell appends the function's name) and whose category is the code's.</summary>
        public static ErrorRecord Record(string code, string category, string message, string target, string command)
        {
            ErrorCategory parsed;
            try
            {
                parsed = (ErrorCategory)Enum.Parse(typeof(ErrorCategory), category ?? "NotSpecified", true);
            }
            catch (ArgumentException)
            {
                parsed = ErrorCategory.NotSpecified;
            }
            var exception = new PpCmkException(code, category, message, target);
            var record = new ErrorRecord(exception, code, parsed, target);
            record.CategoryInfo.Activity = command;
            return record;
        }

        private static OrderedDictionary Parameters(PSCmdlet cmdlet, IDictionary bound, string[] names, string[] paths)
        {
            var parameters = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            foreach (string name in names)
            {
                if (!bound.Contains(name))
                {
                    continue;
                }
                object value = Unwrap(bound[name]);
                var custom = bound[name] as PSObject;
                if (custom != null && custom.BaseObject is PSCustomObject)
                {
                    var copy = new OrderedDictionary();
                    foreach (PSPropertyInfo property in custom.Properties)
                    {
                        copy[property.Name] = property.Value;
                    }
                    value = copy;
                }
                parameters[name] = value;
            }
            foreach (string name in paths)
            {
                var value = parameters.Contains(name) ? parameters[name] : null;
                var path = value as string;
                if (!string.IsNullOrEmpty(path))
                {
                    parameters[name] = cmdlet.GetUnresolvedProviderPathFromPSPath(path);
                    continue;
                }
                // A list of paths (Export-AzKeyVaultSecurityDomain -Certificates).
                var many = value as System.Collections.IList;
                if (many != null)
                {
                    var resolved = new List<object>();
                    foreach (object item in many)
                    {
                        var one = Unwrap(item) as string;
                        resolved.Add(string.IsNullOrEmpty(one) ? item : cmdlet.GetUnresolvedProviderPathFromPSPath(one));
                    }
                    parameters[name] = resolved.ToArray();
                }
            }
            return parameters;
        }

        private static object Unwrap(object value)
        {
            var wrapped = value as PSObject;
            if (wrapped != null && !(wrapped.BaseObject is PSCustomObject))
            {
                value = wrapped.BaseObject;
            }
            if (value is SwitchParameter)
            {
                return ((SwitchParameter)value).IsPresent;
            }
            return value;
        }

        /// <summary>The parameters for -Verbose, secure strings hidden.</summary>
        private static string Describe(OrderedDictionary parameters)
        {
            var sb = new StringBuilder();
            foreach (DictionaryEntry e in parameters)
            {
                sb.Append('-').Append(e.Key).Append(' ');
                if (e.Value is SecureString)
                {
                    sb.Append("<secure> ");
                }
                else if (e.Value is bool)
                {
                    sb.Append((bool)e.Value ? "$true " : "$false ");
                }
                else
                {
                    sb.Append(Native.ToJson(e.Value)).Append(' ');
                }
            }
            return sb.ToString().TrimEnd();
        }

        /// <summary>Output objects straight from the JSON reader as PSCustomObjects with note
        /// properties in order; the response envelope (depths 0 and 1) stays dictionaries.</summary>
        private sealed class PSObjectBuilder : JsonObjectBuilder
        {
            public static readonly PSObjectBuilder Instance = new PSObjectBuilder();

            public override object NewObject(int depth)
            {
                return depth < 2 ? base.NewObject(depth) : new PSObject();
            }

            public override void Add(object target, string key, object value)
            {
                var ps = target as PSObject;
                if (ps == null)
                {
                    base.Add(target, key, value);
                    return;
                }
                ps.Properties.Add(new PSNoteProperty(key, value));
            }
        }

        /// <summary>Progress events as Write-Progress records on the pipeline's thread (the
        /// engine calls back on the invoking thread).</summary>
        private sealed class ProgressWriter
        {
            private readonly PSCmdlet cmdlet;
            private readonly string command;
            private bool shown;

            public ProgressWriter(PSCmdlet cmdlet, string command)
            {
                this.cmdlet = cmdlet;
                this.command = command;
            }

            public void Write(string eventJson)
            {
                var e = (IDictionary)Native.ParseJson(eventJson);
                var record = new ProgressRecord(ProgressId, Convert.ToString(e["activity"], CultureInfo.InvariantCulture), Convert.ToString(e["status"], CultureInfo.InvariantCulture));
                record.PercentComplete = Convert.ToInt32(e["percentComplete"], CultureInfo.InvariantCulture);
                shown = true;
                cmdlet.WriteProgress(record);
            }

            public void Complete()
            {
                if (!shown || cmdlet.Stopping)
                {
                    return;
                }
                try
                {
                    var done = new ProgressRecord(ProgressId, command, "Done");
                    done.RecordType = ProgressRecordType.Completed;
                    cmdlet.WriteProgress(done);
                }
                catch (PipelineStoppedException)
                {
                    // Clearing the bar is best effort: the command's result or error matters.
                }
            }
        }
    }
}
#endif
