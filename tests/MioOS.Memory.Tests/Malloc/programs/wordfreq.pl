# Hashes, arrays, strings and regular expressions in Perl, deterministic: the output is the same under every malloc.
use strict;
use warnings;

my $state = 4242;
my @words;
for my $i (1 .. 80000) {
    $state = ($state * 1103515245 + 12345) % 2147483648;
    push @words, "w" . ($state % 4000) . ("y" x ($state % 11));
}
my %count;
$count{$_}++ for @words;
my @top = (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count)[0 .. 9];
print "distinct ", scalar(keys %count), " top @top\n";

my $text = join " ", @words;
my $n = () = $text =~ /w(\d+)y{3,}/g;
(my $swapped = $text) =~ s/w(\d+)(y*)/$2$1/g;
print "matches $n length ", length($swapped), "\n";

my %nested;
for my $i (0 .. 20000) {
    push @{ $nested{ $i % 97 }{ $words[$i] } }, $i;
}
my $total = 0;
for my $k (sort { $a <=> $b } keys %nested) {
    $total += scalar(@{$_}) for values %{ $nested{$k} };
}
print "nested ", scalar(keys %nested), " total $total\n";
my @sorted = sort { length($a) <=> length($b) || $a cmp $b } @words;
print "sorted $sorted[0] $sorted[-1] ", scalar(@sorted), "\n";
