# Shared by the crash tests (t/005, t/006): a crash of the whole server.
package SoftdeleteCrash;
use strict;
use warnings;
use Exporter 'import';
use Test::More;
use Time::HiRes qw(usleep);
our @EXPORT_OK = qw(crash);

# SIGKILL to the postmaster and to each of its children, then wait until
# they are all gone, so that the next start finds the shared memory free.
sub crash
{
	my ($node) = @_;
	open my $fh, '<', $node->data_dir . '/postmaster.pid'
	  or die "no postmaster.pid: $!";
	my $pm = <$fh>;
	close $fh;
	chomp $pm;
	my @children;
	opendir my $proc, '/proc' or die "cannot read /proc: $!";
	for my $pid (grep { /^\d+$/ } readdir $proc)
	{
		open my $st, '<', "/proc/$pid/stat" or next;
		my $stat = <$st>;
		close $st;
		# pid (comm) state ppid ...; comm may hold spaces and parentheses
		push @children, $pid
		  if defined $stat && $stat =~ /\)\s+\S+\s+(\d+)/ && $1 == $pm;
	}
	closedir $proc;
	ok(scalar(@children) > 0, 'crash: the postmaster has processes to kill');
	$node->kill9;
	kill 'KILL', @children;
	# A zombie still counts as running for the next postmaster's lock file
	# check: wait until the processes have been reaped.
	for my $pid ($pm, @children)
	{
		for (my $i = 0; $i < 60_000 && -e "/proc/$pid"; $i++)
		{
			usleep(1000);
		}
		die "process $pid is still there after the crash" if -e "/proc/$pid";
	}
	return;
}

1;
