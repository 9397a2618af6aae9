using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using MioOS.Memory.Cli.Io;
using Microsoft.AspNetCore.Http;

namespace MioOS.Memory.Cli.Explore;

/// <summary>
/// Reads what a request to the page's API carries, checking everything: a JSON object body of at most
/// <see cref="MaxBodyBytes"/> sent as <c>application/json</c> (a form a foreign page could post cannot be one),
/// fields of the right type, numbers as the shell reads them. Anything else is <see cref="ApiException"/> 400.
/// </summary>
internal static class ApiRequest
{
    /// <summary>The largest body the API reads: a command line or a number fits many times over.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>The JSON object in the body of <paramref name="request"/>.</summary>
    public static async Task<JsonObject> BodyAsync(HttpRequest request)
    {
        string? type = request.ContentType;
        if (type is null || !type.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
            throw Bad("send the request body as JSON, with Content-Type: application/json");
        if (request.ContentLength > MaxBodyBytes)
            throw Bad($"the body is {request.ContentLength:N0} bytes; the API takes at most {MaxBodyBytes:N0}");
        var buffer = new byte[MaxBodyBytes + 1];
        int length = 0;
        try
        {
            while (length < buffer.Length)
            {
                int n = await request.Body.ReadAsync(buffer.AsMemory(length));
                if (n == 0)
                    break;
                length += n;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel reads a chunked body ahead and stops at its own limit (a few times this one).
            length = buffer.Length;
        }
        if (length > MaxBodyBytes)
            throw Bad($"the body is larger than the {MaxBodyBytes:N0} bytes the API takes");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.AsSpan(0, length), documentOptions: new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Bad($"the body is not JSON: {e.Message}");
        }
        return node as JsonObject ?? throw Bad("the body must be a JSON object, such as {\"line\": \"kmalloc 4096\"}");
    }

    /// <summary>The string field <paramref name="name"/> of <paramref name="body"/>.</summary>
    public static string Text(JsonObject body, string name)
    {
        JsonNode? field = body[name];
        return field is JsonValue v && v.TryGetValue(out string? s)
            ? s
            : throw Bad(body.ContainsKey(name) ? $"\"{name}\" must be a string" : $"the body needs a string field \"{name}\"");
    }

    /// <summary>The whole-number field <paramref name="name"/> of <paramref name="body"/> (a JSON number or a string the shell would read), at most <paramref name="max"/>.</summary>
    public static long Count(JsonObject body, string name, long max)
    {
        JsonNode? field = body[name];
        if (field is JsonValue v)
        {
            if (v.TryGetValue(out long n) && n >= 0 && n <= max)
                return n;
            if (v.TryGetValue(out string? s))
                return (long)Number(s, name, (ulong)max);
        }
        throw Bad(body.ContainsKey(name) ? $"\"{name}\" must be a whole number from 0 to {max:N0}" : $"the body needs a number field \"{name}\"");
    }

    /// <summary>A number typed by a person (decimal, 0x hex, K/M/G), as the shell reads it, at most <paramref name="max"/>.</summary>
    public static ulong Number(string text, string what, ulong max)
    {
        if (text.Length > 40)
            throw Bad($"{what}: '{TraceLibrary.Truncate(text)}' is not a number");
        try
        {
            return Numbers.Parse(text, what, max);
        }
        catch (UsageException e)
        {
            throw Bad(e.Message);
        }
    }

    /// <summary>The query parameter <paramref name="name"/> of <paramref name="request"/> as a number, or null when absent.</summary>
    public static ulong? Query(HttpRequest request, string name, ulong max)
    {
        var values = request.Query[name];
        if (values.Count == 0)
            return null;
        if (values.Count > 1)
            throw Bad($"give '{name}' once");
        return Number(values[0] ?? "", name, max);
    }

    private static ApiException Bad(string message) => new(ApiException.BadRequest, message);
}
