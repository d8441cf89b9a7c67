using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Writes a <see cref="DateTimeOffset"/> as the legacy service's Python callers read it: to the microsecond, with its
/// offset (<c>+00:00</c> for UTC), e.g. <c>2026-11-30T10:29:22.077051+00:00</c>. <c>datetime.fromisoformat</c> reads
/// that from Python 3.7 on; before 3.11 it reads neither <c>Z</c> nor any number of fractional digits but 3 and 6,
/// while .NET writes up to 7 and drops trailing zeros. The ticks below a microsecond are cut, not rounded, so an
/// expiry never moves later. Reads what the default converter reads.
/// </summary>
public sealed class PythonIsoDateTimeConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffffzzz";

    // 34 bytes with the quotes, for years 0001 to 9999.
    private const int MaxLength = 64;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        // Raw: as a string value its '+' would be escaped (\u002B) by the default encoder.
        Span<byte> json = stackalloc byte[MaxLength];
        json[0] = (byte)'"';
        value.TryFormat(json[1..], out var written, Format, CultureInfo.InvariantCulture);
        json[written + 1] = (byte)'"';
        writer.WriteRawValue(json[..(written + 2)], skipInputValidation: true);
    }
}
