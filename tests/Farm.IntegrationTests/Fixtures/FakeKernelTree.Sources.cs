namespace KernelFarm.IntegrationTests.Fixtures;

// Contents of the fake kernel tree committed by FakeKernelTree.Create.
// NOTE: Makefile recipe lines and the shell scripts are indented with TAB characters; keep them.
public sealed partial class FakeKernelTree
{
    /// <summary>Makefile</summary>
    internal const string MakefileText = """
        # SPDX-License-Identifier: GPL-2.0
        # Fake "Linux kernel" top-level Makefile for the KernelFarm integration tests.
        #
        # It mimics the part of kbuild's command line the farm relies on:
        #   make [-C <srctree>] [O=<objtree>] [ARCH=<arch>] [CROSS_COMPILE=<prefix>] [-jN] <goals>
        # Goals: defconfig tinyconfig allnoconfig x86_64_defconfig olddefconfig
        #        all vmlinux bzImage Image zImage modules modules_install dtbs
        #        kernelrelease kernelversion clean mrproper
        # Any other *config goal fails like kbuild does. scripts/fakebuild.sh does the work.
        # Knobs: .config CONFIG_FAKE_BROKEN=y (compile error), env FAKE_BUILD_SECONDS=N
        # (slow build, one line per second), env KFARM_TEST_ECHO (echoed into outputs).

        VERSION = 6
        PATCHLEVEL = 1
        SUBLEVEL = 0
        EXTRAVERSION = -fake
        KERNELRELEASE = $(VERSION).$(PATCHLEVEL).$(SUBLEVEL)$(EXTRAVERSION)

        srctree := $(CURDIR)
        ARCH ?= $(shell uname -m)
        CROSS_COMPILE ?=
        O ?=
        INSTALL_MOD_PATH ?=
        # CC from the command line (the farm sets it for gcc-N and ccache): init/main.c is compiled with it
        CC ?=
        export srctree ARCH CROSS_COMPILE O INSTALL_MOD_PATH KERNELRELEASE CC

        FAKEBUILD = $(SHELL) $(srctree)/scripts/fakebuild.sh

        # Goals run one after another in command-line order (kbuild serialises
        # mixed config + build goals too), even with -jN.
        .NOTPARALLEL:

        PHONY := all
        all:

        config_goals := defconfig tinyconfig allnoconfig x86_64_defconfig olddefconfig
        build_goals := all vmlinux bzImage Image Image.gz zImage
        other_goals := modules modules_install dtbs kernelrelease kernelversion clean mrproper

        $(config_goals):
        	@$(FAKEBUILD) config $@

        $(build_goals):
        	@$(FAKEBUILD) build $@

        $(other_goals):
        	@$(FAKEBUILD) $@ $@

        # kbuild's config fragment targets (kvm_guest.config): kernel/configs/$@ and
        # arch/$(SRCARCH)/configs/$@ merged into .config.
        %.config:
        	@$(FAKEBUILD) fragment $@

        # Like kbuild's scripts/kconfig/Makefile: unknown configurators do not exist.
        %config:
        	@printf "make[1]: *** No rule to make target '%s'.  Stop.\n" '$@' >&2; exit 2

        PHONY += $(config_goals) $(build_goals) $(other_goals)
        .PHONY: $(PHONY)

        """;

    /// <summary>scripts/fakebuild.sh</summary>
    internal const string FakeBuildScriptText = """
        #!/bin/sh
        # Back end of the fake kbuild Makefile (KernelFarm integration tests).
        # usage: fakebuild.sh <action> <goal>   (environment: srctree ARCH CROSS_COMPILE O
        #        INSTALL_MOD_PATH KERNELRELEASE, plus FAKE_BUILD_SECONDS and KFARM_TEST_ECHO)
        # Nothing here evaluates user-supplied values; they are only printed with printf '%s'.
        set -eu

        action=$1
        goal=${2:-$1}
        srctree=${srctree:-$(pwd)}
        ARCH=${ARCH:-$(uname -m)}
        CROSS_COMPILE=${CROSS_COMPILE:-}
        KERNELRELEASE=${KERNELRELEASE:-6.1.0-fake}

        die() { # exit code, message lines...
        	code=$1; shift
        	printf '%s\n' "$@" >&2
        	exit "$code"
        }

        case $ARCH in
        x86_64|x86|i386) SRCARCH=x86; IMAGE=bzImage ;;
        arm64) SRCARCH=arm64; IMAGE=Image ;;
        arm) SRCARCH=arm; IMAGE=zImage ;;
        riscv) SRCARCH=riscv; IMAGE=Image ;;
        *) die 2 "Makefile:1: arch/$ARCH/Makefile: No such file or directory" ;;
        esac

        # O= is relative to the source tree (make -C changes there first), like kbuild.
        objtree=${O:-$srctree}
        mkdir -p -- "$objtree"
        objtree=$(cd -- "$objtree" && pwd)
        config=$objtree/.config
        cd -- "$objtree"

        require_config() {
        	[ -f "$config" ] || die 2 '***' '*** Configuration file ".config" not found!' '***' \
        		'*** Please run some configurator (e.g. "make oldconfig" or' \
        		'*** "make menuconfig" or "make xconfig").' '***'
        }

        config_has() { # CONFIG_FOO=y
        	grep -qx -- "$1" "$config"
        }

        require_modules() {
        	require_config
        	config_has CONFIG_MODULES=y || die 1 '***' \
        		'*** The present kernel configuration has modules disabled.' \
        		'*** To use the module feature, please run "make menuconfig" etc.' \
        		'*** to enable CONFIG_MODULES.' '***'
        }

        # Deterministic artifact content: what was built, for which ARCH/CROSS_COMPILE.
        artifact() { # kind path
        	mkdir -p -- "$(dirname -- "$2")"
        	{
        		printf 'fake %s, Linux %s\n' "$1" "$KERNELRELEASE"
        		printf 'ARCH=%s\n' "$ARCH"
        		printf 'CROSS_COMPILE=%s\n' "$CROSS_COMPILE"
        		if [ -n "${KFARM_TEST_ECHO+set}" ]; then
        			printf 'KFARM_TEST_ECHO=%s\n' "$KFARM_TEST_ECHO"
        		fi
        		printf 'config-sha256=%s\n' "$(sha256sum < "$config" | cut -d' ' -f1)"
        	} > "$2.tmp"
        	mv -f -- "$2.tmp" "$2"
        }

        write_config() { # goal modules(y/n)
        	{
        		printf '#\n# Automatically generated file; DO NOT EDIT.\n'
        		printf '# Linux/%s %s Kernel Configuration\n#\n' "$SRCARCH" "$KERNELRELEASE"
        		printf '# fake kbuild: generated by "%s" (ARCH=%s)\n' "$1" "$ARCH"
        		printf 'CONFIG_LOCALVERSION=""\n'
        		if [ "$2" = y ]; then
        			printf 'CONFIG_MODULES=y\n'
        		fi
        		printf '# CONFIG_FAKE_BROKEN is not set\n'
        	} > "$config.tmp"
        	mv -f -- "$config.tmp" "$config"
        }

        build_modules() {
        	printf '  CC [M]  drivers/fake/fake.o\n'
        	artifact module drivers/fake/fake.ko
        	printf '  LD [M]  drivers/fake/fake.ko\n'
        	printf 'drivers/fake/fake.ko\n' > modules.order
        }

        case $action in
        config)
        	printf '  HOSTCC  scripts/basic/fixdep\n  HOSTCC  scripts/kconfig/conf.o\n  HOSTLD  scripts/kconfig/conf\n'
        	case $goal in
        	defconfig) write_config "$goal" y ;;
        	tinyconfig|allnoconfig) write_config "$goal" n ;;
        	x86_64_defconfig)
        		[ "$SRCARCH" = x86 ] || die 2 '***' \
        			"*** Can't find default configuration \"arch/$SRCARCH/configs/$goal\"!" '***'
        		write_config "$goal" y ;;
        	olddefconfig) require_config ;;
        	*) die 2 "make[1]: *** No rule to make target '$goal'.  Stop." ;;
        	esac
        	printf '#\n# configuration written to .config\n#\n'
        	;;
        fragment)
        	require_config
        	found=
        	for f in "$srctree/kernel/configs/$goal" "$srctree/arch/$SRCARCH/configs/$goal"; do
        		[ -f "$f" ] || continue
        		printf 'Merging %s\n' "${f#"$srctree"/}"
        		cat -- "$f" >> "$config"
        		found=1
        	done
        	[ -n "$found" ] || die 2 '***' '*** No configuration exists for this target on this architecture' '***'
        	;;
        build)
        	require_config
        	if [ -n "${KFARM_TEST_ECHO+set}" ]; then
        		printf 'echo: %s\n' "$KFARM_TEST_ECHO"
        	fi
        	printf '  SYNC    include/config/auto.conf\n  CC      init/main.o\n'
        	if config_has CONFIG_FAKE_BROKEN=y; then
        		die 2 'init/main.c:1:1: error: fake compile error'
        	fi
        	if [ -n "${CC:-}" ]; then
        		# the one real compile (CC may be "ccache gcc-12": split on purpose)
        		mkdir -p init && $CC -c -o init/main.o "$srctree/init/main.c" || die 2 "init/main.c: $CC failed"
        	fi
        	seconds=${FAKE_BUILD_SECONDS:-}
        	case $seconds in
        	''|*[!0-9]*)
        		printf '  CC      kernel/fork.o\n  CC      mm/memory.o\n  CC      fs/read_write.o\n' ;;
        	*)
        		i=1
        		while [ "$i" -le "$seconds" ]; do
        			printf '  CC      init/file%d.o\n' "$i"
        			sleep 1
        			i=$((i + 1))
        		done ;;
        	esac
        	artifact vmlinux vmlinux
        	printf '  LD      vmlinux\n'
        	printf 'ffffffff81000000 T _text\nffffffff81000000 T startup_64\nffffffff82000000 T start_kernel\n' > System.map
        	printf '  SYSMAP  System.map\n'
        	artifact "$IMAGE" "arch/$SRCARCH/boot/$IMAGE"
        	# arm64 also gets the compressed image, as kbuild's Image.gz goal gives
        	if [ "$SRCARCH" = arm64 ]; then gzip -n -c "arch/$SRCARCH/boot/$IMAGE" > "arch/$SRCARCH/boot/Image.gz"; fi
        	if config_has CONFIG_MODULES=y; then
        		build_modules
        	fi
        	printf 'Kernel: arch/%s/boot/%s is ready\n' "$SRCARCH" "$IMAGE"
        	;;
        modules)
        	require_modules
        	if [ ! -f drivers/fake/fake.ko ]; then
        		build_modules
        	fi
        	;;
        modules_install)
        	require_modules
        	[ -f drivers/fake/fake.ko ] || die 1 "*** drivers/fake/fake.ko is missing; run 'make modules' first."
        	[ -n "$INSTALL_MOD_PATH" ] || die 1 \
        		'*** fake kbuild refuses to install modules into the real /lib/modules; set INSTALL_MOD_PATH.'
        	dest=$INSTALL_MOD_PATH/lib/modules/$KERNELRELEASE
        	mkdir -p -- "$dest/kernel/drivers/fake"
        	cp -f -- drivers/fake/fake.ko "$dest/kernel/drivers/fake/fake.ko"
        	printf 'kernel/drivers/fake/fake.ko\n' > "$dest/modules.order"
        	printf 'kernel/drivers/fake/fake.ko:\n' > "$dest/modules.dep"
        	printf '  INSTALL %s\n  DEPMOD  %s\n' "$dest/kernel/drivers/fake/fake.ko" "$KERNELRELEASE"
        	;;
        dtbs)
        	require_config
        	case $SRCARCH in
        	arm64)
        		for dtb in fake-vexpress fake-juno; do
        			artifact "device tree $dtb" "arch/arm64/boot/dts/arm/$dtb.dtb"
        			printf '  DTC     arch/arm64/boot/dts/arm/%s.dtb\n' "$dtb"
        		done ;;
        	arm)
        		artifact 'device tree fake-vexpress' arch/arm/boot/dts/fake-vexpress.dtb
        		printf '  DTC     arch/arm/boot/dts/fake-vexpress.dtb\n' ;;
        	riscv)
        		artifact 'device tree fake-virt' arch/riscv/boot/dts/fake/fake-virt.dtb
        		printf '  DTC     arch/riscv/boot/dts/fake/fake-virt.dtb\n' ;;
        	esac
        	;;
        kernelrelease|kernelversion)
        	printf '%s\n' "$KERNELRELEASE" ;;
        clean|mrproper)
        	rm -f -- vmlinux System.map modules.order drivers/fake/fake.ko \
        		arch/x86/boot/bzImage arch/arm64/boot/Image arch/arm/boot/zImage arch/riscv/boot/Image \
        		arch/arm64/boot/dts/arm/fake-vexpress.dtb arch/arm64/boot/dts/arm/fake-juno.dtb \
        		arch/arm/boot/dts/fake-vexpress.dtb arch/riscv/boot/dts/fake/fake-virt.dtb
        	if [ "$action" = mrproper ]; then
        		rm -f -- .config .config.old
        	fi
        	;;
        *)
        	die 2 "fakebuild.sh: unknown action '$action'" ;;
        esac

        """;

    /// <summary>scripts/kconfig/merge_config.sh</summary>
    internal const string MergeConfigScriptText = """
        #!/bin/sh
        # SPDX-License-Identifier: GPL-2.0
        # Fake scripts/kconfig/merge_config.sh for the KernelFarm integration tests.
        #
        # usage: merge_config.sh [-m] [-n] [-r] [-y] [-s] [-O dir] basefile fragment...
        # Writes <dir>/.config (default ./.config): the base file, then each fragment in
        # order; a CONFIG_ symbol set again by a later file replaces the earlier line
        # (the new line goes to the end, as with the real script). -m (do not run
        # "make alldefconfig") is accepted and is the only behaviour; -n -r -y -s are
        # accepted and ignored.
        set -eu

        usage() {
        	printf '%s\n' "Usage: $0 [OPTIONS] [CONFIG [...]]" \
        		'  -m    only merge the fragments, do not execute the make command' \
        		'  -O    dir to put generated output files' >&2
        	exit "${1:-1}"
        }

        OUTPUT=.
        while [ $# -gt 0 ]; do
        	case $1 in
        	-m|-n|-r|-y|-s) shift ;;
        	-O)
        		[ $# -ge 2 ] || usage
        		OUTPUT=$2
        		[ -d "$OUTPUT" ] || { printf 'output directory %s does not exist\n' "$OUTPUT" >&2; exit 1; }
        		shift 2 ;;
        	-h|--help) usage 0 ;;
        	--) shift; break ;;
        	-*) usage ;;
        	*) break ;;
        	esac
        done
        [ $# -ge 1 ] || usage

        base=$1
        shift
        if [ ! -r "$base" ]; then
        	printf "The base file '%s' does not exist. Creating one...\n" "$base" >&2
        	: > "$base"
        fi
        printf 'Using %s as base\n' "$base"
        for fragment in "$@"; do
        	[ -r "$fragment" ] || { printf "The merge file '%s' does not exist.  Exit.\n" "$fragment" >&2; exit 1; }
        	printf 'Merging %s\n' "$fragment"
        done

        out=$OUTPUT/.config
        MERGE_OUT=$out.merge.tmp
        export MERGE_OUT
        awk '
        function symbol(line,    s) {
        	if (match(line, /^CONFIG_[A-Za-z0-9_]+=/))
        		return substr(line, 1, RLENGTH - 1)
        	if (line ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/) {
        		s = substr(line, 3)
        		sub(/ is not set$/, "", s)
        		return s
        	}
        	return ""
        }
        {
        	s = symbol($0)
        	if (s != "" && (s in at)) {
        		if (lines[at[s]] != $0 && FNR != NR)
        			printf "Value of %s is redefined by fragment %s:\nPrevious value: %s\nNew value: %s\n\n", s, FILENAME, lines[at[s]], $0
        		delete lines[at[s]]
        	}
        	lines[++n] = $0
        	if (s != "")
        		at[s] = n
        }
        END {
        	for (i = 1; i <= n; i++)
        		if (i in lines)
        			print lines[i] > ENVIRON["MERGE_OUT"]
        	close(ENVIRON["MERGE_OUT"])
        }
        ' "$base" "$@"
        [ -f "$MERGE_OUT" ] || : > "$MERGE_OUT"
        mv -f -- "$MERGE_OUT" "$out"
        printf '#\n# merged configuration written to %s (needs make)\n#\n' "$out"

        """;
}
