using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Recording;

/// <summary>Reads a pixel of a recorded JPEG by letting Chromium decode it (the tests have no image library of their own).</summary>
public static class FramePixels
{
    public static async Task<(int R, int G, int B)> AtAsync(ChromiumFixture chromium, byte[] jpeg, int x, int y)
    {
        var page = await chromium.NewPageAsync();
        try
        {
            var rgba = await page.EvaluateAsync<int[]>("""
                async ([data, x, y]) => {
                  const blob = await (await fetch('data:image/jpeg;base64,' + data)).blob();
                  const image = await createImageBitmap(blob);
                  const canvas = new OffscreenCanvas(image.width, image.height);
                  const context = canvas.getContext('2d');
                  context.drawImage(image, 0, 0);
                  return Array.from(context.getImageData(x, y, 1, 1).data);
                }
                """, new object[] { Convert.ToBase64String(jpeg), x, y });
            return (rgba[0], rgba[1], rgba[2]);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>Which of the test pages' solid colours a pixel is (JPEG shifts them a little).</summary>
    public static string Name((int R, int G, int B) c) => c switch
    {
        { R: > 200, G: > 200, B: > 200 } => "white",
        { R: > 180, G: < 80, B: < 80 } => "red",
        { R: < 80, G: > 100, B: < 80 } => "green",
        { R: < 80, G: < 80, B: > 180 } => "blue",
        _ => $"rgb({c.R},{c.G},{c.B})",
    };
}
