namespace KernelFarm.Actors.Validation;

/// <summary>
/// One problem with a submitted job. <paramref name="Field"/> is the snake_case wire name as a dotted path
/// (<c>branch</c>, <c>build_config.extra_make_args[2]</c>, <c>build_config.custom_env.MY_KEY</c>).
/// </summary>
public sealed record ValidationError(string Field, string Message);
