using System.Globalization;
using System.Text.RegularExpressions;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Validation;

/// <summary>
/// Checks a submitted <see cref="BuildJobRequest"/> before anything touches a shell, git or make.
/// Every field is allow-listed (never deny-listed), and every problem is reported, each naming the
/// offending field as a snake_case dotted path (<c>build_config.extra_make_args[2]</c>).
/// Messages never echo the submitted value back, so hostile input does not end up in logs.
/// </summary>
public sealed partial class JobRequestValidator(JobValidationPolicy policy)
{
    public const int MaxSourceRepositoryLength = 2048;
    public const int MaxBranchLength = 255;
    public const int MinPriority = -1000;
    public const int MaxPriority = 1000;
    public const int MaxKconfigFragments = 1000;
    public const int MaxKconfigFragmentLength = 4096;
    public const int MaxExtraMakeArgs = 64;
    public const int MaxExtraMakeArgLength = 4096;
    public const int MaxParallelJobs = 4096;
    public const int MaxCustomEnvEntries = 64;
    public const int MaxCustomEnvValueLength = 4096;
    /// <summary>Shorter secrets would mask ordinary text all over the log.</summary>
    public const int MinSecretEnvValueLength = 4;
    public const int MaxGitDepth = 1_000_000;
    public const int MaxArtifactPatterns = 64;
    public const int MaxArtifactPatternLength = 255;
    /// <summary>Each target once at most; the known targets are fewer.</summary>
    public const int MaxTargets = 16;
    public const int MaxKernelConfigLength = 255;

    /// <summary>
    /// Make variables the farm itself sets on the command line (output dir, architecture, toolchain,
    /// reproducibility stamps, install paths) or that would change how make runs recipes. TuxMake refuses
    /// the same ones. Compared case-insensitively.
    /// </summary>
    public static readonly IReadOnlySet<string> ReservedMakeVariables = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "O", "ARCH", "CROSS_COMPILE", "KBUILD_OUTPUT",
        "INSTALL_MOD_PATH", "INSTALL_DTBS_PATH", "INSTALL_HDR_PATH", "INSTALL_PATH",
        "LLVM", "CC", "HOSTCC", "LD",
        "KBUILD_BUILD_TIMESTAMP", "KBUILD_BUILD_USER", "KBUILD_BUILD_HOST",
        "MAKEFLAGS", "SHELL", "CONFIG_SHELL",
        // Not set by the farm, but they change which makefiles/flags make reads: never client-controlled.
        "MAKEFILES", "GNUMAKEFLAGS", "MFLAGS",
    };

    /// <summary>
    /// Environment variables a job may not set: they change how the shell, the dynamic loader or make
    /// behave, or the farm sets them. Compared case-insensitively. Keys starting with
    /// <see cref="FarmEnvPrefix"/> are reserved as well (see <see cref="AllowedFarmEnvKey"/>).
    /// </summary>
    public static readonly IReadOnlySet<string> ReservedEnvKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "PATH", "HOME", "SHELL", "IFS", "ENV", "BASH_ENV", "BASHOPTS", "SHELLOPTS", "PS4", "PROMPT_COMMAND",
        "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT",
        "O", "ARCH", "CROSS_COMPILE", "KBUILD_OUTPUT", "MAKEFLAGS",
        // bash would apply these to the farm's own script (relative cd, globbing, tracing)
        "CDPATH", "GLOBIGNORE", "BASH_XTRACEFD", "POSIXLY_CORRECT",
        // make reads these from the environment as extra options or makefiles (--eval runs code)
        "GNUMAKEFLAGS", "MFLAGS", "MAKEFILES", "MAKELEVEL", "MAKEOVERRIDES",
    };

    /// <summary>
    /// Whole families the build's tools read as configuration that can run commands: git's
    /// (GIT_CONFIG_*, GIT_SSH_COMMAND rewrite the validated clone), the dynamic loader's, bash's,
    /// and the farm's own namespace.
    /// </summary>
    public static readonly IReadOnlyList<string> ReservedEnvPrefixes = ["KFARM_", "GIT_", "LD_", "BASH_"];

    /// <summary>The farm's own environment namespace.</summary>
    public const string FarmEnvPrefix = "KFARM_";

    /// <summary>
    /// The one <c>KFARM_</c> key a job may set: the farm's end-to-end tests submit it to prove that
    /// custom_env values (shell metacharacters included) reach the build verbatim and are never executed.
    /// It has no meaning to the farm itself, so letting jobs set it grants nothing.
    /// </summary>
    public const string AllowedFarmEnvKey = "KFARM_TEST_ECHO";

    private static readonly string[] AllowedSchemes = ["https", "http", "git", "ssh", "file"];

    private readonly JobValidationPolicy _policy = policy ?? throw new ArgumentNullException(nameof(policy));

    public IReadOnlyList<ValidationError> Validate(BuildJobRequest? request)
    {
        var errors = new List<ValidationError>();
        if (request is null)
        {
            errors.Add(new("request", "a job request body is required"));
            return errors;
        }

        ValidateSourceRepository(request.SourceRepository, errors);
        ValidateBranch(request.Branch, errors);
        ValidateCommitHash(request.CommitHash, errors);
        ValidateTargetArchitecture(request.TargetArchitecture, errors);
        ValidateToolchain(request.Toolchain, errors);

        if (request.Priority is < MinPriority or > MaxPriority)
        {
            errors.Add(new("priority", $"must be between {MinPriority} and {MaxPriority}"));
        }

        if (request.SubmittedBy is not null)
        {
            errors.Add(new("submitted_by", "is set by the farm from the submitter's API token"));
        }

        if (request.ListRange is not null)
        {
            errors.Add(new("list_range", "is set by the farm for a bisection's first step (POST /api/v1/bisections)"));
        }

        WebhookRules.Check(request.Webhooks, _policy, errors);
        BootTestRules.Check(request, _policy.Architectures, errors);
        SeriesRules.Check(request, errors);

        // Non-nullable in C#, but JSON "build_config": null still produces a null here.
        if (request.BuildConfig is null)
        {
            errors.Add(new("build_config", "is required"));
        }
        else
        {
            ValidateBuildConfig(request.BuildConfig, errors);
        }

        return errors;
    }

    /// <summary>
    /// A list of valid event names is otherwise unbounded: 100 jobs with a megabyte of "completed"
    /// each cost the farm 1.2 GB of memory and 93 MB of journal. WebhookRules checks what the names are.
    /// </summary>
    // ---------------------------------------------------------------- source_repository

    private static void ValidateSourceRepository(string? value, List<ValidationError> errors)
    {
        const string field = "source_repository";
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(new(field, "is required"));
            return;
        }

        if (value.Length > MaxSourceRepositoryLength)
        {
            errors.Add(new(field, $"must be at most {MaxSourceRepositoryLength} characters"));
            return;
        }

        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c > '\x7e')
            {
                errors.Add(new(field, "must be printable ASCII without whitespace or control characters"));
                return;
            }

            if (c is '\'' or '"' or '`' or '$' or ';' or '|' or '&' or '<' or '>' or '\\')
            {
                errors.Add(new(field, "must not contain quotes, backticks, '$', ';', '|', '&', '<', '>' or '\\'"));
                return;
            }
        }

        if (value[0] == '-')
        {
            errors.Add(new(field, "must not start with '-'"));
            return;
        }

        if (!IsAllowedRepositoryLocation(value))
        {
            errors.Add(new(field,
                "must be an https://, http://, git://, ssh:// or file:/// URL, or scp-like user@host:path; " +
                "host, user and path must not start with '-'"));
        }
    }

    private static bool IsAllowedRepositoryLocation(string value)
    {
        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0 && SchemeRegex().IsMatch(value[..schemeEnd]))
        {
            var scheme = value[..schemeEnd].ToLowerInvariant();
            if (!AllowedSchemes.Contains(scheme, StringComparer.Ordinal))
            {
                return false;
            }

            var rest = value[(schemeEnd + 3)..];
            if (scheme == "file")
            {
                // file:///abs/path: an empty authority and a plain absolute path.
                return SafePath.IsSafeAbsolute(rest);
            }

            var match = NetworkUrlRegex().Match(rest);
            if (!match.Success)
            {
                return false;
            }

            var port = match.Groups["port"];
            return !port.Success || (int.TryParse(port.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535);
        }

        // Anything with "://" that is not one of the schemes above is refused, not reinterpreted as scp-like.
        if (schemeEnd >= 0)
        {
            return false;
        }

        return ScpLikeRegex().IsMatch(value);
    }

    // ---------------------------------------------------------------- branch

    private static void ValidateBranch(string? value, List<ValidationError> errors)
    {
        const string field = "branch";
        var problem = BranchProblem(value);
        if (problem is not null)
        {
            errors.Add(new(field, problem));
        }
    }

    /// <summary>git check-ref-format rules for a branch name, plus shell metacharacters refused outright.</summary>
    private static string? BranchProblem(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        if (value.Length > MaxBranchLength)
        {
            return $"must be at most {MaxBranchLength} characters";
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return "must not contain whitespace or control characters";
            }

            if (c is '~' or '^' or ':' or '?' or '*' or '[' or '\\')
            {
                return "must not contain '~', '^', ':', '?', '*', '[' or '\\'";
            }

            if (c is '$' or '`' or ';' or '|' or '&' or '<' or '>' or '\'' or '"' or '(' or ')')
            {
                return "must not contain shell metacharacters ($ ` ; | & < > quotes parentheses)";
            }
        }

        if (value == "@")
        {
            return "must not be '@'";
        }

        if (value.Contains("..", StringComparison.Ordinal))
        {
            return "must not contain '..'";
        }

        if (value.Contains("@{", StringComparison.Ordinal))
        {
            return "must not contain '@{'";
        }

        if (value[0] is '-' or '/')
        {
            return "must not start with '-' or '/'";
        }

        if (value[^1] is '/' or '.')
        {
            return "must not end with '/' or '.'";
        }

        if (value.Contains("//", StringComparison.Ordinal))
        {
            return "must not contain '//'";
        }

        foreach (var component in value.Split('/'))
        {
            if (component.StartsWith('.'))
            {
                return "no '/'-separated component may start with '.'";
            }

            if (component.EndsWith(".lock", StringComparison.Ordinal))
            {
                return "no '/'-separated component may end with '.lock'";
            }
        }

        return null;
    }

    // ---------------------------------------------------------------- commit, arch, toolchain

    private static void ValidateCommitHash(string? value, List<ValidationError> errors)
    {
        if (string.IsNullOrEmpty(value) || !CommitHashRegex().IsMatch(value))
        {
            errors.Add(new("commit_hash", "must be HEAD or a commit hash of 7 to 64 hex digits"));
        }
    }

    private void ValidateTargetArchitecture(string? value, List<ValidationError> errors)
    {
        if (string.IsNullOrEmpty(value) || !_policy.Architectures.TryGet(value, out _))
        {
            var known = string.Join(", ", _policy.Architectures.Names);
            errors.Add(new("target_architecture",
                string.IsNullOrEmpty(value)
                    ? $"is required; known architectures: {known}"
                    : $"is not a known architecture; known architectures: {known}"));
        }
    }

    private static void ValidateToolchain(string? value, List<ValidationError> errors)
    {
        if (value is not null && !ToolchainRegex().IsMatch(value))
        {
            errors.Add(new("toolchain", "must be null or gcc, clang or llvm with an optional -<version> (e.g. gcc-12, clang-17)"));
        }
    }

    // ---------------------------------------------------------------- build_config

    private void ValidateBuildConfig(BuildConfig config, List<ValidationError> errors)
    {
        ValidateKernelConfig(config.KernelConfig, errors);
        ValidateKconfigFragments(config.KconfigFragments, errors);
        ValidateExtraMakeArgs(config.ExtraMakeArgs, errors);
        ValidateMakeVariables(config.MakeVariables, errors);
        ValidateTargets(config.Targets, errors);
        ValidateCustomEnv(config.CustomEnv, errors);
        ValidateSecretEnv(config.SecretEnv, config.CustomEnv, errors);
        ValidateDirectories(config, errors);
        ContainerRules.CheckJob(config, errors);

        if (config.TimeoutMinutes is < 1 or > 7 * 24 * 60)
        {
            errors.Add(new("build_config.timeout_minutes", "must be between 1 and 10080 (a week), or omitted for the farm's default"));
        }

        if (config.GitDepth is < 0 or > MaxGitDepth)
        {
            errors.Add(new("build_config.git_depth", $"must be between 0 (full history) and {MaxGitDepth}"));
        }

        ValidateArtifactPatterns(config.ArtifactPatterns, errors);
    }

    private static void ValidateKernelConfig(string? value, List<ValidationError> errors)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > MaxKernelConfigLength)
        {
            errors.Add(new("build_config.kernel_config", $"must be at most {MaxKernelConfigLength} characters"));
            return;
        }

        var ok = value.Contains('/')
            ? SafePath.IsSafeRelative(value)
            : ConfigTargetRegex().IsMatch(value);
        if (!ok)
        {
            errors.Add(new("build_config.kernel_config",
                "must be null (defconfig), a *config make target (e.g. defconfig, tinyconfig) " +
                "or a relative in-tree path (e.g. arch/x86/configs/x86_64_defconfig)"));
        }
    }

    private static void ValidateKconfigFragments(IReadOnlyList<string?>? fragments, List<ValidationError> errors)
    {
        const string field = "build_config.kconfig_fragments";
        if (fragments is null)
        {
            errors.Add(new ValidationError(field, "must be a list (omit it for none), not null"));
            return;
        }

        if (fragments.Count > MaxKconfigFragments)
        {
            errors.Add(new(field, $"must have at most {MaxKconfigFragments} entries"));
            return;
        }

        for (var i = 0; i < fragments.Count; i++)
        {
            var fragment = fragments[i];
            if (fragment?.Length > MaxKconfigFragmentLength)
                errors.Add(new($"{field}[{i}]", $"must be at most {MaxKconfigFragmentLength} characters"));
            else if (string.IsNullOrEmpty(fragment) || !IsValidKconfigFragment(fragment))
            {
                errors.Add(new($"{field}[{i}]",
                    "must be CONFIG_NAME=<y|m|n|number|0xhex|\"string without quotes, backslashes, $ or backticks\">, " +
                    "'# CONFIG_NAME is not set', a relative in-tree fragment path (kernel/configs/debug.config), " +
                    "or a config fragment target (kvm_guest.config)"));
            }
        }
    }

    /// <summary>A CONFIG_X=… or "# CONFIG_X is not set" line as an inline fragment may be.</summary>
    public static bool IsInlineKconfigFragment(string line) =>
        line.Length <= MaxKconfigFragmentLength && (KconfigAssignmentRegex().IsMatch(line) || KconfigNotSetRegex().IsMatch(line));

    private static bool IsValidKconfigFragment(string fragment)
    {
        if (KconfigAssignmentRegex().IsMatch(fragment) || KconfigNotSetRegex().IsMatch(fragment))
        {
            return true;
        }

        if (!fragment.Contains('/')) return IsKconfigTarget(fragment);
        return SafePath.IsSafeRelative(fragment);
    }

    /// <summary>kbuild's config fragment target (kvm_guest.config): a plain name ending in .config, nothing make could read as a variable or option.</summary>
    public static bool IsKconfigTarget(string fragment) => KconfigTargetRegex().IsMatch(fragment);

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}\.config$")]
    private static partial Regex KconfigTargetRegex();

    private static void ValidateExtraMakeArgs(IReadOnlyList<string?>? args, List<ValidationError> errors)
    {
        const string field = "build_config.extra_make_args";
        if (args is null)
        {
            errors.Add(new ValidationError(field, "must be a list (omit it for none), not null"));
            return;
        }

        if (args.Count > MaxExtraMakeArgs)
        {
            errors.Add(new(field, $"must have at most {MaxExtraMakeArgs} entries"));
            return;
        }

        for (var i = 0; i < args.Count; i++)
        {
            var problem = MakeArgProblem(args[i]);
            if (problem is not null)
            {
                errors.Add(new($"{field}[{i}]", problem));
            }
        }
    }

    private static void ValidateMakeVariables(IReadOnlyDictionary<string, string>? variables, List<ValidationError> errors)
    {
        const string field = "build_config.make_variables";
        if (variables is null)
        {
            errors.Add(new ValidationError(field, "must be an object (omit it for none), not null"));
            return;
        }

        if (variables.Count > MaxExtraMakeArgs)
        {
            errors.Add(new(field, $"must have at most {MaxExtraMakeArgs} entries"));
            return;
        }

        foreach (var (key, value) in variables.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            // The same rules as a KEY=VALUE in extra_make_args: a name, never a farm-set variable, a safe value.
            var problem = MakeVariableNameRegex().IsMatch(key) ? MakeArgProblem($"{key}={value}") : "the name must match [A-Za-z_][A-Za-z0-9_]*";
            if (problem is not null) errors.Add(new($"{field}.{key}", problem));
        }
    }

    private static void ValidateTargets(IReadOnlyList<string?>? targets, List<ValidationError> errors)
    {
        const string field = "build_config.targets";
        if (targets is null) return;
        if (targets.Count > MaxTargets)
        {
            errors.Add(new(field, $"must have at most {MaxTargets} entries"));
            return;
        }

        for (var i = 0; i < targets.Count; i++)
        {
            if (targets[i] is not { } t || !Execution.BuildTargets.IsKnown(t))
                errors.Add(new($"{field}[{i}]", $"must be one of {string.Join(", ", Execution.BuildTargets.All.Select(x => x.Name))}"));
        }
    }

    private static string? MakeArgProblem(string? arg)
    {
        const string generic =
            "must be one of -j<1-4096>, -k, --keep-going, -s, --silent, V=<0|1|2>, W=<1-3[,1-3]>, " +
            "a make target (e.g. vmlinux, modules) or KEY=VALUE with VALUE made of letters, digits, space and ._/=:,+@%-";
        if (string.IsNullOrEmpty(arg))
        {
            return generic;
        }

        if (arg.Length > MaxExtraMakeArgLength)
        {
            return $"must be at most {MaxExtraMakeArgLength} characters";
        }

        if (arg is "-k" or "--keep-going" or "-s" or "--silent")
        {
            return null;
        }

        var jobs = ParallelJobsRegex().Match(arg);
        if (jobs.Success)
        {
            return int.TryParse(jobs.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                   && n is >= 1 and <= MaxParallelJobs
                ? null
                : $"-j must be between 1 and {MaxParallelJobs}";
        }

        if (MakeTargetRegex().IsMatch(arg))
        {
            return null;
        }

        var eq = arg.IndexOf('=');
        if (eq <= 0)
        {
            return generic;
        }

        var key = arg[..eq];
        var value = arg[(eq + 1)..];
        if (!MakeVariableNameRegex().IsMatch(key))
        {
            return generic;
        }

        if (ReservedMakeVariables.Contains(key))
        {
            return key.ToUpperInvariant() is "ARCH" or "CROSS_COMPILE" or "LLVM" or "CC" or "LD" or "HOSTCC"
                ? $"{key.ToUpperInvariant()} is set by the farm and cannot be overridden; use target_architecture / toolchain instead"
                : $"{key.ToUpperInvariant()} is set by the farm and cannot be overridden";
        }

        switch (key)
        {
            case "V":
                return VerbosityRegex().IsMatch(value) ? null : "V must be 0, 1 or 2";
            case "W":
                return WarningLevelRegex().IsMatch(value) ? null : "W must be a comma-separated list of levels 1 to 3";
        }

        // make would expand $(...) in a command-line value, so the value charset is tightly allow-listed.
        return MakeValueRegex().IsMatch(value) ? null : generic;
    }

    private static void ValidateCustomEnv(IReadOnlyDictionary<string, string>? env, List<ValidationError> errors)
    {
        const string field = "build_config.custom_env";
        if (env is null)
        {
            errors.Add(new ValidationError(field, "must be an object (omit it for none), not null"));
            return;
        }

        if (env.Count > MaxCustomEnvEntries)
        {
            errors.Add(new(field, $"must have at most {MaxCustomEnvEntries} entries"));
            return;
        }

        foreach (var (key, value) in env.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var entryField = $"{field}.{key}";
            if (!EnvKeyRegex().IsMatch(key))
            {
                errors.Add(new(entryField, "key must match [A-Za-z_][A-Za-z0-9_]* and be at most 128 characters"));
                continue;
            }

            if (IsReservedEnvKey(key))
            {
                errors.Add(new(entryField,
                    $"{key} is reserved: the farm sets it or it changes how the shell, loader or make behave" +
                    (key.ToUpperInvariant() is "ARCH" or "CROSS_COMPILE" ? "; use target_architecture / toolchain instead" : "")));
                continue;
            }

            if (value is null)
            {
                errors.Add(new(entryField, "value is required (use an empty string for an empty value)"));
                continue;
            }

            if (value.Length > MaxCustomEnvValueLength)
            {
                errors.Add(new(entryField, $"value must be at most {MaxCustomEnvValueLength} characters"));
                continue;
            }

            // Other shell metacharacters are fine: values reach the build quoted, never executed.
            if (value.AsSpan().IndexOfAny('\0', '\r', '\n') >= 0)
            {
                errors.Add(new(entryField, "value must not contain NUL, CR or LF"));
            }
        }
    }

    private static void ValidateSecretEnv(IReadOnlyList<string>? names, IReadOnlyDictionary<string, string>? env, List<ValidationError> errors)
    {
        const string field = "build_config.secret_env";
        if (names is null)
        {
            errors.Add(new(field, "must be a list of custom_env names (omit it for none), not null"));
            return;
        }

        // Each names a custom_env entry, so a longer list can only repeat names.
        if (names.Count > MaxCustomEnvEntries)
        {
            errors.Add(new(field, $"must have at most {MaxCustomEnvEntries} entries"));
            return;
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] is not { } name || env is null || !env.TryGetValue(name, out var value))
                errors.Add(new($"{field}[{i}]", "must name an entry of build_config.custom_env"));
            else if (value is not null && value.Length < MinSecretEnvValueLength)
                errors.Add(new($"build_config.custom_env.{name}", $"a secret value must be at least {MinSecretEnvValueLength} characters"));
        }
    }

    private static bool IsReservedEnvKey(string key)
    {
        if (string.Equals(key, AllowedFarmEnvKey, StringComparison.Ordinal))
        {
            return false;
        }

        return ReservedEnvKeys.Contains(key)
            || ReservedEnvPrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase));
    }

    private void ValidateDirectories(BuildConfig config, List<ValidationError> errors)
    {
        const string absoluteRule =
            "must be null or an absolute path of letters, digits and ._/- without '.', '..' or empty segments (at most 255 characters)";

        var workspaceOk = config.WorkspaceRoot is null || SafePath.IsSafeAbsolute(config.WorkspaceRoot);
        if (!workspaceOk)
        {
            errors.Add(new("build_config.workspace_root", absoluteRule));
        }

        if (config.BuildDirectory is not null)
        {
            if (!SafePath.IsSafeAbsolute(config.BuildDirectory))
            {
                errors.Add(new("build_config.build_directory", absoluteRule));
            }
            else if (config.WorkspaceRoot is not null && workspaceOk
                     && !SafePath.IsWithin(config.BuildDirectory, config.WorkspaceRoot))
            {
                errors.Add(new("build_config.build_directory", "must be within build_config.workspace_root"));
            }
        }

        if (config.OutputDirectory is not null)
        {
            var roots = _policy.AllowedOutputRoots ?? [];
            if (!SafePath.IsSafeAbsolute(config.OutputDirectory))
            {
                errors.Add(new("build_config.output_directory", absoluteRule));
            }
            else if (!roots.Any(root => SafePath.IsWithin(config.OutputDirectory, root)))
            {
                errors.Add(new("build_config.output_directory",
                    roots.Count == 0
                        ? "no output directories are allowed on this farm; leave it null"
                        : $"must be within one of the allowed output roots: {string.Join(", ", roots)}"));
            }
            else if (_policy.StoragePath is { } storage
                     && Storage.OutputDirectoryRule.Check(config.OutputDirectory, storage, roots) is { } refused)
            {
                errors.Add(new("build_config.output_directory", refused));
            }
        }
    }

    private static void ValidateArtifactPatterns(IReadOnlyList<string?>? patterns, List<ValidationError> errors)
    {
        const string field = "build_config.artifact_patterns";
        if (patterns is null)
        {
            return;
        }

        if (patterns.Count > MaxArtifactPatterns)
        {
            errors.Add(new(field, $"must have at most {MaxArtifactPatterns} entries"));
            return;
        }

        for (var i = 0; i < patterns.Count; i++)
        {
            if (!IsValidArtifactPattern(patterns[i]))
            {
                errors.Add(new($"{field}[{i}]",
                    "must be a relative glob of letters, digits and ._/*?+- (at most 255 characters), " +
                    "not starting with '/' or '-', without '.', '..' or empty segments"));
            }
        }
    }

    private static bool IsValidArtifactPattern(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern) || pattern.Length > MaxArtifactPatternLength || pattern[0] is '/' or '-')
        {
            return false;
        }

        foreach (var c in pattern)
        {
            if (!(SafePath.IsSafeChar(c) || c is '*' or '?' or '+'))
            {
                return false;
            }
        }

        foreach (var segment in pattern.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    // ---------------------------------------------------------------- patterns (\z, never $: $ matches before a final \n)

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SchemeRegex();

    /// <summary>[user@]host[:port]/path for http(s), git and ssh. Neither user nor host may start with '-'.</summary>
    [GeneratedRegex(
        @"^(?:[A-Za-z0-9._~][A-Za-z0-9._~-]*@)?(?:[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])(?::(?<port>[0-9]{1,5}))?/[^/-][\x21-\x7e]*\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex NetworkUrlRegex();

    /// <summary>scp-like user@host:path; the path must not start with '-'.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9._][A-Za-z0-9._-]*@[A-Za-z0-9._][A-Za-z0-9._-]*:[^-][\x21-\x7e]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ScpLikeRegex();

    [GeneratedRegex(@"^(?:HEAD|[0-9A-Fa-f]{7,64})\z", RegexOptions.CultureInvariant)]
    private static partial Regex CommitHashRegex();

    [GeneratedRegex(@"^(?:gcc|clang|llvm)(?:-[0-9]{1,3})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex ToolchainRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]*config\z", RegexOptions.CultureInvariant)]
    private static partial Regex ConfigTargetRegex();

    [GeneratedRegex("^CONFIG_[A-Za-z0-9_]+=(?:y|m|n|-?[0-9]+|0x[0-9A-Fa-f]+|\"[^\"\\\\$`\\x00-\\x1f\\x7f]*\")\\z", RegexOptions.CultureInvariant)]
    private static partial Regex KconfigAssignmentRegex();

    [GeneratedRegex(@"^# CONFIG_[A-Za-z0-9_]+ is not set\z", RegexOptions.CultureInvariant)]
    private static partial Regex KconfigNotSetRegex();

    [GeneratedRegex(@"^-j([0-9]{1,9})\z", RegexOptions.CultureInvariant)]
    private static partial Regex ParallelJobsRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.+-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex MakeTargetRegex();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex MakeVariableNameRegex();

    [GeneratedRegex(@"^[A-Za-z0-9 ._/=:,+@%-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex MakeValueRegex();

    [GeneratedRegex(@"^[012]\z", RegexOptions.CultureInvariant)]
    private static partial Regex VerbosityRegex();

    [GeneratedRegex(@"^[1-3](?:,?[1-3])*\z", RegexOptions.CultureInvariant)]
    private static partial Regex WarningLevelRegex();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex EnvKeyRegex();
}
